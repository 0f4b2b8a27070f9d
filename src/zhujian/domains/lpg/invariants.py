"""The LPG rule that spans records (see :mod:`zhujian.core.invariants`).

``lpg_retirement_final`` — 特种设备安全法 第四十八条, TSG 23-2021: a cylinder that was
scrapped or deregistered is never used again. Anchor: the cylinder. Over its whole
history, not the state a user typed:

* once its history shows it retired, it stays retired (no edit, import or code path brings
  it back into service);
* no passed periodic inspection is dated after its scrapping date (an inspection cannot
  make it serviceable again);
* no accepted fill or delivery is dated after its scrapping date (a scan claiming an
  earlier or later time cannot evade the scrapping; scans are judged against the cylinder
  as it stands when they arrive, ``rules.check``, and this finds what slipped in before
  the rule existed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from zhujian.core import invariants
from zhujian.core.invariants import Attack, Invariant, Reads, Violation
from zhujian.domains.lpg.models import Cylinder, CylinderInspection, ScanEvent
from zhujian.domains.lpg.rules import RETIRED, CylinderStatus, ScanKind, ScanStatus


def check_retirement(cylinder: Cylinder) -> list[Violation]:
    out: list[Violation] = []
    first = (
        cylinder.history.filter(status__in=RETIRED)
        .order_by("history_date", "history_id")
        .values("status", "scrapped_on", "history_date")
        .first()
    )
    if first is not None and cylinder.status not in RETIRED:
        when = first["scrapped_on"] or first["history_date"].date()
        out.append(
            Violation(
                f"钢瓶{cylinder.code}已于{when}{CylinderStatus(first['status']).label}，"
                f"现状态为“{CylinderStatus(cylinder.status).label}”：报废或注销的钢瓶不得恢复使用",
                cylinder,
                "status",
            )
        )
    scrapped_on = cylinder.scrapped_on
    if cylinder.status not in RETIRED or scrapped_on is None:
        return out
    passed = (
        CylinderInspection.objects.filter(
            cylinder=cylinder, result="passed", inspected_on__gt=scrapped_on
        )
        .order_by("inspected_on")
        .first()
    )
    if passed is not None:
        out.append(
            Violation(
                f"钢瓶{cylinder.code}已于{scrapped_on}报废或注销，其后{passed.inspected_on}"
                f"又登记检验合格（{passed.body}）：报废的钢瓶不得经检验恢复使用",
                passed,
                "result",
            )
        )
    used = (
        ScanEvent.objects.filter(
            cylinder=cylinder,
            status=ScanStatus.ACCEPTED,
            kind__in=(ScanKind.FILL, ScanKind.DELIVER),
            scanned_on__gt=scrapped_on,
        )
        .order_by("scanned_at")
        .first()
    )
    if used is not None:
        out.append(
            Violation(
                f"钢瓶{cylinder.code}已于{scrapped_on}报废或注销，其后{used.scanned_on}"
                f"仍有通过的{used.get_kind_display()}记录（流水号{used.client_event_id}）",
                used,
                "status",
            )
        )
    return out


def _ever_retired() -> QuerySet:
    ids = Cylinder.history.filter(status__in=RETIRED).values("id")
    return Cylinder.objects.filter(pk__in=ids)


def attacks() -> list[Attack]:
    """A cylinder scrapped on 2022-06-10 (its history shows it in use before), then writes
    that bring it back: an edit of its status, a passed inspection after the scrapping."""
    like = Cylinder.objects.filter(status=CylinderStatus.IN_USE).order_by("pk").first()
    assert like is not None, "the demo county has cylinders in use"
    cylinder = Cylinder.objects.create(
        code="RULE00000001",
        company=like.company,
        spec="YSP35.5",
        maker="规则测试钢瓶制造有限公司",
        manufactured_on=dt.date(2016, 3, 1),
        registered_on=dt.date(2016, 4, 1),
    )
    cylinder.status, cylinder.scrapped_on = CylinderStatus.SCRAPPED, dt.date(2022, 6, 10)
    cylinder.save()
    inspection: dict[str, Any] = {
        "cylinder": cylinder,
        "inspected_on": dt.date(2022, 6, 20),
        "body": "规则测试检验站",
        "result": "passed",
    }
    return [
        Attack("报废后登记检验合格", CylinderInspection, inspection),
        Attack("报废钢瓶改回在用", Cylinder, {"status": CylinderStatus.IN_USE}, target=cylinder),
        Attack("报废钢瓶改为待检", Cylinder, {"status": CylinderStatus.DUE}, target=cylinder),
    ]


invariants.register(
    Invariant(
        code="lpg_retirement_final",
        title="报废或注销的气瓶不得再使用",
        law="特种设备安全法",
        article="第四十八条",
        also="TSG 23-2021《气瓶安全技术规程》",
        anchor=Cylinder,
        reads=[
            Reads(Cylinder),
            Reads(CylinderInspection, "cylinder"),
            Reads(ScanEvent, "cylinder"),
        ],
        check=check_retirement,
        candidates=_ever_retired,
        attacks=attacks,
        note=(
            "钢瓶一经报废或注销即不得恢复使用：不能改回在用，报废日期之后不能再登记检验合格，"
            "也不能有通过的充装或配送记录。"
        ),
    )
)
