"""Demo hazards for any inspecting ledger: found → notice → rectified → verified.

A domain's demo generator calls :func:`hazards_for` with the inspections it saved; each
inspection's hazards share one rectification notice, most are rectified in time, some late,
a few are still open at the end of the demo years.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zhujian.demo.county import DemoContext

DEMO_END = dt.date(2022, 12, 31)


def hazards_for(
    ctx: DemoContext,
    line: str,
    inspections: Sequence[Any],
    *,
    source: Callable[[Any], str],
    notice_prefix: str,
    code_prefix: str,
    categories: Sequence[str],
    texts: Sequence[str],
    per_inspection: Sequence[int] = (0, 0, 1, 2, 3),
    date_field: str = "inspected_on",
    location: Callable[[Any], str] = lambda _i: "",
    found_by: Callable[[Any], str] = lambda i: getattr(i, "inspectors", ""),
    on_time: float = 0.85,
    late: float = 0.09,
) -> list[Any]:
    """Save and return the hazards ``inspections`` found (how many: drawn from
    ``per_inspection``); codes are ``YH-<code_prefix>-<date>-<pk>-<n>``. A share ``on_time``
    is rectified by the deadline, ``late`` after it, the rest stays open."""
    from django.contrib.contenttypes.models import ContentType

    from zhujian.hazards.models import Hazard

    rng = ctx.rng
    rows = []
    seq: dict[int, int] = {}
    for inspection in inspections:
        n = rng.choice(per_inspection)
        if not n:
            continue
        found = getattr(inspection, date_field)
        seq[found.year] = seq.get(found.year, 0) + 1
        notice = f"{notice_prefix}〔{found.year}〕{seq[found.year]}号"
        issued = found + dt.timedelta(days=rng.randint(0, 3))
        deadline = issued + dt.timedelta(days=rng.choice((7, 10, 15, 30)))
        ctype = ContentType.objects.get_for_model(type(inspection))
        for k in range(n):
            fate = rng.random()
            rectified = verified = None
            if fate < on_time:
                rectified = issued + dt.timedelta(days=rng.randint(1, (deadline - issued).days))
            elif fate < on_time + late:
                rectified = deadline + dt.timedelta(days=rng.randint(1, 20))
            if rectified and rectified > DEMO_END:
                rectified = None
            if rectified and rng.random() < 0.92:
                verified = rectified + dt.timedelta(days=rng.randint(1, 7))
                if verified > DEMO_END:
                    verified = None
            hazard = Hazard(
                org_unit_id=inspection.org_unit_id,
                code=f"YH-{code_prefix}-{found:%Y%m%d}-{inspection.pk}-{k + 1}",
                line=line,
                source_type=ctype,
                source_id=inspection.pk,
                source=source(inspection)[:200],
                category=rng.choice(list(categories)),
                description=rng.choice(list(texts)),
                location=location(inspection)[:200],
                found_on=found,
                found_by=found_by(inspection)[:100],
                notice_number=notice,
                notice_issued_on=issued,
                notice_deadline=deadline,
                rectified_on=rectified,
                rectification_evidence="已按要求整改，附整改前后照片" if rectified else "",
                verified_on=verified,
                verified_by=ctx.person() if verified else "",
            )
            hazard.status = hazard.derive_status()
            rows.append(hazard)
    return ctx.save(Hazard, rows)
