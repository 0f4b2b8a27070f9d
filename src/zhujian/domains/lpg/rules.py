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
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

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


def next_inspection_due(
    manufactured_on: dt.date, last_passed: dt.date | None, spec: str = ""
) -> dt.date:
    """One inspection cycle of the cylinder's specification (GB 8334-2011 §5.1: 4 years,
    YSP118 3 years) after the last passed inspection (or manufacture), never later than
    the scrap date."""
    due = add_years(last_passed or manufactured_on, conf.inspection_cycle_years(spec))
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
    LICENCE = "licence", "充装许可证过期"
    OVERFILL = "overfill", "超过额定充装量"


class CylinderStatus(models.TextChoices):
    IN_USE = "in_use", "在用"
    DUE = "due", "待检"
    INSPECTING = "inspecting", "检验中"
    SCRAPPED = "scrapped", "报废"
    CANCELLED = "cancelled", "注销"


RETIRED = (CylinderStatus.SCRAPPED, CylinderStatus.CANCELLED)
# Withdrawn from filling until a passed inspection (set by an overdue scan or a 送检 scan).
WITHDRAWN = (CylinderStatus.DUE, CylinderStatus.INSPECTING)
# Kinds a station may only scan on its own company's cylinders (城镇燃气管理条例 第十八条:
# no filling of cylinders it does not own (七), no selling gas in them (八)).
OWN_ONLY = (ScanKind.FILL, ScanKind.DELIVER, ScanKind.INSPECT, ScanKind.SCRAP)


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


def retired(cylinder: Any) -> bool:
    """Scrapped or deregistered. Retirement is final (a retired cylinder never returns to
    service, see ``Cylinder.clean``), so a cylinder retired now was retired for every scan
    received from now on, whatever time the scan claims: an earlier claimed time cannot
    evade a scrapping."""
    return cylinder.status in RETIRED


def check(
    kind: str,
    code: str,
    day: dt.date,
    station_company_id: int,
    cylinder: Any | None,
    customer: Any | None = None,
    customer_code: str = "",
    *,
    weight_kg: Decimal | None = None,
    licence_expires_on: dt.date | None = None,
) -> Verdict:
    """May a station of ``station_company_id`` do ``kind`` to ``cylinder`` on ``day``?

    ``cylinder`` is None when no cylinder carries ``code``; ``customer`` is None when no
    user carries ``customer_code``. ``day`` is the day the scan claims, already bounded by
    what is known (:func:`claimed_time_error`); what is a fact at the time the scan is
    received (the cylinder retired or withdrawn) holds whatever day it claims. The first
    rule broken gives the reason.
    """
    verb = _verb(kind)
    if cylinder is None:
        return refuse(Reason.UNKNOWN, f"钢瓶编码 {code} 未在系统中登记，不得{verb}")
    if kind in OWN_ONLY and cylinder.company_id != station_company_id:
        item = "（八）" if kind == ScanKind.DELIVER else "（七）"
        return refuse(
            Reason.OTHER_COMPANY,
            f"钢瓶 {code} 不属于本站所属企业，不得{verb}（《城镇燃气管理条例》第十八条第{item}项）",
        )
    if retired(cylinder):
        since = f"（{cylinder.scrapped_on:%Y-%m-%d}）" if cylinder.scrapped_on else ""
        return refuse(Reason.SCRAPPED, f"钢瓶 {code} 已报废或注销{since}，不得{verb}")
    if kind == ScanKind.FILL:
        if licence_expires_on is not None and licence_expires_on < day:
            return refuse(
                Reason.LICENCE,
                f"本站气瓶充装许可证已于 {licence_expires_on:%Y-%m-%d} 到期，不得充装"
                f"（《特种设备安全法》第四十九条），扫码日期 {day:%Y-%m-%d}",
            )
        if cylinder.status in WITHDRAWN:
            return refuse(
                Reason.OVERDUE,
                f"钢瓶 {code} 已停止充装（{CylinderStatus(cylinder.status).label}），"
                "定期检验合格前不得充装（TSG 23-2021）",
            )
        if cylinder.scrap_due and cylinder.scrap_due < day:
            return refuse(
                Reason.EXPIRED,
                f"钢瓶 {code} 的使用年限已于 {cylinder.scrap_due:%Y-%m-%d} 届满，应予报废",
            )
        if cylinder.next_inspection_due and cylinder.next_inspection_due < day:
            years = conf.inspection_cycle_years(getattr(cylinder, "spec", ""))
            return refuse(
                Reason.OVERDUE,
                f"钢瓶 {code} 应于 {cylinder.next_inspection_due:%Y-%m-%d} 前定期检验"
                f"（GB 8334-2011 第5.1条：该规格每{years}年检验一次），已超期",
            )
        rated = conf.rated_fill_kg(getattr(cylinder, "spec", ""))
        if weight_kg is not None and rated is not None and weight_kg > rated:
            return refuse(
                Reason.OVERFILL,
                f"充装量 {weight_kg} 千克超过 {cylinder.spec} 钢瓶的额定充装量 {rated} 千克"
                "（GB 5842-2006 表1；TSG 23-2021 严禁超装）",
            )
    if kind == ScanKind.DELIVER and not registered(customer):
        return refuse(
            Reason.UNREGISTERED_USER,
            f"用户 {customer_code or '（未填写）'} 未实名登记或已注销，不得配送",
        )
    return ACCEPT


def claimed_time_error(
    at: dt.datetime,
    *,
    received: dt.datetime,
    token_issued_at: dt.datetime | None = None,
    max_delay_days: int | None = None,
    cylinder_code: str = "",
    manufactured_on: dt.date | None = None,
    registered_on: dt.date | None = None,
) -> str | None:
    """Why a scan's claimed time ``at`` cannot be believed (None: it can).

    A claimed time is bounded by what is known: not after the scan reached the server
    (``received``, with the clock skew a device may have), not earlier than the device's
    token (a device cannot have scanned with a token it did not hold), not more than the
    upload delay before it reached the server, and not before the cylinder was made or
    entered in the register.
    """
    skew = dt.timedelta(minutes=conf.clock_skew_minutes())
    stamp = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")
    if at > received + skew:
        return f"扫码时间 {stamp} 晚于服务器收到该记录的时间，请校准设备时钟"
    if token_issued_at is not None and at < token_issued_at - skew:
        issued = timezone.localtime(token_issued_at).strftime("%Y-%m-%d %H:%M")
        return f"扫码时间 {stamp} 早于本设备令牌的签发时间 {issued}，不予采信"
    if max_delay_days is not None and at < received - dt.timedelta(days=max_delay_days):
        return (
            f"扫码时间 {stamp} 早于上传时间 {max_delay_days} 天以上"
            f"（最长允许延迟上传 {max_delay_days} 天），不予采信"
        )
    day = timezone.localdate(at)
    if manufactured_on is not None and day < manufactured_on:
        return f"扫码日期 {day} 早于钢瓶 {cylinder_code} 的制造日期 {manufactured_on}，不予采信"
    if registered_on is not None and day < registered_on:
        return f"扫码日期 {day} 早于钢瓶 {cylinder_code} 的建档日期 {registered_on}，不予采信"
    return None


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
