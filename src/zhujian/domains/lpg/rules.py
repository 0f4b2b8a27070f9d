"""The cylinder rules (GB 5842, TSG 23-2021, 城镇燃气管理条例 Art 18) as plain functions.

Dates first: a cylinder's scrap date and next inspection date follow from its
manufacture date and its last passed periodic inspection. Then the scan rules: what a
station may fill, deliver, send for inspection or scrap, and the reason (Chinese) when it
may not. The same functions serve the register (``Cylinder.derive``), manual entries
(``ScanEvent.derive``), the scan API (:mod:`zhujian.domains.lpg.ingest`) and the figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models

from zhujian.domains.lpg import conf


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def scrap_due(manufactured_on: dt.date, last_passed: dt.date | None) -> dt.date:
    """The day a cylinder must be scrapped: its design life (8 years) from manufacture, or
    its maximum life (12 years) once it has passed a periodic inspection."""
    years = conf.max_life_years() if last_passed else conf.design_life_years()
    return add_years(manufactured_on, years)


def next_inspection_due(manufactured_on: dt.date, last_passed: dt.date | None) -> dt.date:
    """One inspection cycle (4 years) after the last passed inspection (or manufacture),
    never later than the scrap date."""
    due = add_years(last_passed or manufactured_on, conf.inspection_cycle_years())
    return min(due, scrap_due(manufactured_on, last_passed))


class ScanKind(models.TextChoices):
    FILL = "fill", "充装"
    DELIVER = "deliver", "配送入户"
    RETURN = "return", "回收（退瓶/换瓶）"
    INSPECT = "inspect", "送检"
    SCRAP = "scrap", "报废"


class ScanStatus(models.TextChoices):
    ACCEPTED = "accepted", "通过"
    REFUSED = "refused", "拒绝"


class Reason(models.TextChoices):
    UNKNOWN = "unknown", "钢瓶未登记"
    OTHER_COMPANY = "other_company", "非本企业产权钢瓶"
    SCRAPPED = "scrapped", "钢瓶已报废或注销"
    EXPIRED = "expired", "超过使用年限"
    OVERDUE = "overdue", "超期未检验"
    UNREGISTERED_USER = "unregistered_user", "用户未实名登记"


class CylinderStatus(models.TextChoices):
    IN_USE = "in_use", "在用"
    DUE = "due", "待检"
    INSPECTING = "inspecting", "检验中"
    SCRAPPED = "scrapped", "报废"
    CANCELLED = "cancelled", "注销"


RETIRED = (CylinderStatus.SCRAPPED, CylinderStatus.CANCELLED)
# Kinds a station may only scan on its own company's cylinders.
OWN_ONLY = (ScanKind.FILL, ScanKind.INSPECT, ScanKind.SCRAP)


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str = ""
    message: str = ""

    @property
    def accepted(self) -> bool:
        return self.status == ScanStatus.ACCEPTED


ACCEPT = Verdict(ScanStatus.ACCEPTED)


def refuse(reason: Reason, message: str) -> Verdict:
    return Verdict(ScanStatus.REFUSED, reason.value, message)


def retired(cylinder: Any, day: dt.date) -> bool:
    """Scrapped or deregistered on ``day`` (a scan uploaded late, dated before the
    scrapping, is judged as of its own date)."""
    return cylinder.status in RETIRED and (
        cylinder.scrapped_on is None or cylinder.scrapped_on <= day
    )


def check(
    kind: str,
    code: str,
    day: dt.date,
    station_company_id: int,
    cylinder: Any | None,
    customer: Any | None = None,
    customer_code: str = "",
) -> Verdict:
    """May a station of ``station_company_id`` do ``kind`` to ``cylinder`` on ``day``?

    ``cylinder`` is None when no cylinder carries ``code``; ``customer`` is None when no
    user carries ``customer_code``. The first rule broken gives the reason.
    """
    if cylinder is None:
        return refuse(Reason.UNKNOWN, f"钢瓶编码 {code} 未在系统中登记，不得{_verb(kind)}")
    if kind in OWN_ONLY and cylinder.company_id != station_company_id:
        return refuse(
            Reason.OTHER_COMPANY,
            f"钢瓶 {code} 不属于本站所属企业，不得{_verb(kind)}（充装他人钢瓶属违法行为）",
        )
    if retired(cylinder, day):
        return refuse(Reason.SCRAPPED, f"钢瓶 {code} 已报废或注销，不得{_verb(kind)}")
    if kind == ScanKind.FILL:
        if cylinder.scrap_due and cylinder.scrap_due < day:
            return refuse(
                Reason.EXPIRED,
                f"钢瓶 {code} 的使用年限已于 {cylinder.scrap_due:%Y-%m-%d} 届满，应予报废",
            )
        if cylinder.next_inspection_due and cylinder.next_inspection_due < day:
            return refuse(
                Reason.OVERDUE,
                f"钢瓶 {code} 应于 {cylinder.next_inspection_due:%Y-%m-%d} 前定期检验，已超期",
            )
    if kind == ScanKind.DELIVER and not registered(customer):
        return refuse(
            Reason.UNREGISTERED_USER,
            f"用户 {customer_code or '（未填写）'} 未实名登记或已注销，不得配送",
        )
    return ACCEPT


def registered(customer: Any | None) -> bool:
    return customer is not None and customer.verified and customer.active


def _verb(kind: str) -> str:
    return {
        ScanKind.FILL: "充装",
        ScanKind.DELIVER: "配送",
        ScanKind.RETURN: "回收",
        ScanKind.INSPECT: "送检",
        ScanKind.SCRAP: "报废",
    }.get(kind, "扫码")
