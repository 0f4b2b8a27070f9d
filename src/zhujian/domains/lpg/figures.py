"""Figures of the LPG supervision (line 燃气): scans, refusals by reason, the cylinder
register as of a date, and the hazards opened by repeated refusals.

None of these fills a mark of the seed summary; they are the gas line's figures for the
figure catalog and the dashboard. Refusals by reason add up to all refusals; overdue and
past-life cylinders are disjoint parts of the cylinders in service, computed as of the
period's end from the inspection records (not from today's register state).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from zhujian.domains.lpg import conf
from zhujian.domains.lpg.models import Customer, Cylinder, CylinderInspection, ScanEvent
from zhujian.domains.lpg.rules import Reason, ScanKind, ScanStatus, add_years
from zhujian.figures import headlines
from zhujian.figures.catalog import count, distinct, rate, register, yoy
from zhujian.hazards.figures import hazard_figures

ACCEPTED = Q(status=ScanStatus.ACCEPTED)
REFUSED = Q(status=ScanStatus.REFUSED)


def in_service(day: dt.date) -> Q:
    """Registered by ``day`` and not scrapped or deregistered by then."""
    return Q(registered_on__lte=day) & (Q(scrapped_on__isnull=True) | Q(scrapped_on__gt=day))


def _passed(since: dt.date | None, until: dt.date) -> Exists:
    inspections = CylinderInspection.objects.filter(
        cylinder=OuterRef("pk"), result="passed", inspected_on__lte=until
    )
    if since is not None:
        inspections = inspections.filter(inspected_on__gte=since)
    return Exists(inspections)


def expired_on(day: dt.date) -> Q:
    """Past the scrap date on ``day``: older than the maximum life, or older than the design
    life without a passed inspection by then."""
    design, most = conf.design_life_years(), conf.max_life_years()
    return Q(manufactured_on__lt=add_years(day, -most)) | (
        Q(manufactured_on__lt=add_years(day, -design)) & ~Q(_passed(None, day))
    )


def overdue_on(day: dt.date) -> Q:
    """Due for periodic inspection before ``day`` (and not yet past its life): no passed
    inspection within the last cycle, and made before the cycle began."""
    by_cycle: dict[int, list[str]] = {}
    for spec, years in conf.inspection_cycles().items():
        by_cycle.setdefault(years, []).append(spec)
    overdue = Q(pk__in=[])
    for years, specs in by_cycle.items():  # GB 8334: the cycle depends on the specification
        since = add_years(day, -years)
        overdue |= Q(spec__in=specs, manufactured_on__lt=since) & ~Q(_passed(since, day))
    return overdue & ~expired_on(day)


def _asof(fn) -> object:
    return lambda period: in_service(period.end) & fn(period.end)


def _refused(reason: Reason) -> Q:
    return REFUSED & Q(reason=reason)


SCANS = {"date": "scanned_on", "unit": "次"}

# The hazards opened by repeated refusals at a station (linked to the station record).
LOOP = hazard_figures(
    "gas",
    where=Q(source_type__app_label="lpg", source_type__model="station"),
    prefix="lpg_hazards",
)
for _fig in LOOP:
    _fig.label = _fig.label.replace("燃气", "充装站扫码拒绝引发的", 1)

register(
    count(
        "gas.lpg_fills",
        "液化气钢瓶充装",
        ScanEvent,
        where=ACCEPTED & Q(kind=ScanKind.FILL),
        date="scanned_on",
        unit="瓶次",
    ),
    count(
        "gas.lpg_deliveries",
        "液化气配送入户",
        ScanEvent,
        where=ACCEPTED & Q(kind=ScanKind.DELIVER),
        date="scanned_on",
        unit="瓶次",
    ),
    yoy("gas.lpg_fills_yoy", "液化气钢瓶充装同比", "gas.lpg_fills"),
    count("gas.lpg_fill_scans", "充装扫码", ScanEvent, where=Q(kind=ScanKind.FILL), **SCANS),
    count(
        "gas.lpg_fills_refused",
        "拒绝充装",
        ScanEvent,
        where=REFUSED & Q(kind=ScanKind.FILL),
        **SCANS,
    ),
    rate(
        "gas.lpg_fill_refusal_rate", "充装扫码拒绝率", "gas.lpg_fills_refused", "gas.lpg_fill_scans"
    ),
    count("gas.lpg_refusals", "扫码拒绝（全部原因）", ScanEvent, where=REFUSED, **SCANS),
    *[
        count(
            f"gas.lpg_refused_{reason.value}",
            f"扫码拒绝：{reason.label}",
            ScanEvent,
            where=_refused(reason),
            **SCANS,
        )
        for reason in Reason
    ],
    distinct(
        "gas.lpg_stations_refusing",
        "有扫码拒绝的充装站",
        ScanEvent,
        "station",
        where=REFUSED,
        date="scanned_on",
        unit="个",
    ),
    count(
        "gas.lpg_cylinders",
        "在册在用液化气钢瓶",
        Cylinder,
        date="registered_on",
        mode="asof",
        where=lambda p: in_service(p.end),
        unit="只",
    ),
    count(
        "gas.lpg_cylinders_overdue",
        "超期未检钢瓶",
        Cylinder,
        date="registered_on",
        mode="asof",
        where=_asof(overdue_on),
        unit="只",
        good="down",
    ),
    count(
        "gas.lpg_cylinders_expired",
        "超过使用年限未报废钢瓶",
        Cylinder,
        date="registered_on",
        mode="asof",
        where=_asof(expired_on),
        unit="只",
    ),
    rate(
        "gas.lpg_overdue_rate",
        "钢瓶超期未检率",
        "gas.lpg_cylinders_overdue",
        "gas.lpg_cylinders",
        good="down",
    ),
    count(
        "gas.lpg_cylinders_scrapped",
        "报废钢瓶",
        Cylinder,
        date="scrapped_on",
        where=Q(status="scrapped"),
        unit="只",
    ),
    count(
        "gas.lpg_inspections", "钢瓶定期检验", CylinderInspection, date="inspected_on", unit="只次"
    ),
    count(
        "gas.lpg_inspections_scrapped",
        "定期检验判废钢瓶",
        CylinderInspection,
        date="inspected_on",
        where=Q(result="scrapped"),
        unit="只",
    ),
    count(
        "gas.lpg_customers",
        "实名登记液化气用户",
        Customer,
        date="registered_on",
        mode="asof",
        where=Q(verified=True, active=True),
        unit="户",
    ),
    count(
        "gas.lpg_restaurants_without_alarm",
        "未安装燃气报警器的餐饮用户",
        Customer,
        date="registered_on",
        mode="asof",
        where=Q(kind="restaurant", active=True, has_alarm=False),
        unit="户",
    ),
    *LOOP,
)

headlines.register(
    "gas", "gas.lpg_fills", "gas.lpg_refusals", "gas.lpg_cylinders_overdue", "gas.lpg_overdue_rate"
)
headlines.register("gas", "gas.lpg_fills", "gas.lpg_refusals", trend=True)
