"""Repeated refusals at one station open ONE hazard in the shared loop (隐患闭环).

When a batch brings refusals, the station's refusals in the window before the latest of
them are counted (one indexed query); at the threshold a hazard of line 燃气 is opened,
linked to the station record, unless the station already has an open one from this rule.
Both numbers are settings (:mod:`zhujian.domains.lpg.conf`).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from zhujian.domains.lpg import conf
from zhujian.domains.lpg.models import ScanEvent, Station
from zhujian.domains.lpg.rules import Reason, ScanStatus
from zhujian.hazards.models import Hazard, HazardCategory

FOUND_BY = "液化气扫码监管系统"


def open_hazard(station: Station) -> Hazard | None:
    """The station's hazard from this rule that is not yet verified and closed."""
    return Hazard.objects.filter(
        source_type=ContentType.objects.get_for_model(Station),
        source_id=station.pk,
        found_by=FOUND_BY,
        verified_on__isnull=True,
    ).first()


def check_station(station: Station, at: dt.datetime) -> str | None:
    """Open a hazard when ``station`` reached the threshold of refusals in the window
    ending at ``at``; returns the new hazard's code (None: nothing opened)."""
    days, threshold = conf.refusal_hazard_window_days(), conf.refusal_hazard_threshold()
    refusals = ScanEvent.objects.filter(
        station=station,
        status=ScanStatus.REFUSED,
        scanned_at__gt=at - dt.timedelta(days=days),
        scanned_at__lte=at,
    )
    count = refusals.count()
    if count < threshold or open_hazard(station) is not None:
        return None
    reasons = {Reason(r).label: n for r, n in _by_reason(refusals).items() if r in Reason.values}
    detail = "、".join(f"{label}{n}次" for label, n in sorted(reasons.items(), key=lambda x: -x[1]))
    hazard = Hazard(
        line="gas",
        org_unit_id=station.org_unit_id,
        source=f"液化气扫码监管：{days}日内拒绝扫码{count}次",
        category=HazardCategory.OPERATION,
        description=(
            f"{station.name}在{days}日内有{count}次扫码被拒绝（{detail}），"
            "存在充装超期未检、报废或非自有钢瓶等违规风险，须查明原因并整改。"
        ),
        location=station.address or station.name,
        found_on=timezone.localdate(at),
        found_by=FOUND_BY,
    )
    hazard.link(station)
    hazard._change_reason = "扫码拒绝次数达到阈值，系统自动登记"
    hazard.save()
    return hazard.code


def _by_reason(refusals: object) -> dict[str, int]:
    from django.db.models import Count

    return dict(
        refusals.values("reason").annotate(n=Count("pk")).values_list("reason", "n")  # type: ignore[attr-defined]
    )
