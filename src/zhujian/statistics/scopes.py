"""Which org units a return covers, from the org-unit tree (no names in code).

- 县城 (the county seat): every 街道, any 镇 that is the seat town (城关镇 — the legal
  designation of a seat town), and the bureau's own units, whose records are county-level
  facilities (the water company's monthly supply, the wastewater plants' returns …).
- 村镇: every 建制镇 and 乡 not in the 县城, each its own column.

A township user sees only its own town (the scope gate of :mod:`zhujian.core.scope`).
"""

from __future__ import annotations

from zhujian.core import scope
from zhujian.core.models import BUREAU_KINDS, OrgUnit, OrgUnitKind, User

SEAT_TOWN_PREFIX = "城关"


def county_root() -> OrgUnit | None:
    return OrgUnit.objects.filter(parent__isnull=True, kind=OrgUnitKind.COUNTY).first()


def _is_seat_town(unit: OrgUnit) -> bool:
    return unit.kind == OrgUnitKind.TOWN and unit.name.startswith(SEAT_TOWN_PREFIX)


def county_seat() -> list[OrgUnit]:
    """The units whose records make up the 县城: the 街道 (and a 城关镇), then the
    bureau's top units (their subtrees hold the county-level utilities' records)."""
    seat = [
        u
        for u in OrgUnit.objects.filter(kind__in=[OrgUnitKind.STREET, OrgUnitKind.TOWN])
        if u.kind == OrgUnitKind.STREET or _is_seat_town(u)
    ]
    bureau_kinds = {str(k) for k in BUREAU_KINDS}
    tops = [
        u
        for u in OrgUnit.objects.filter(kind__in=bureau_kinds).select_related("parent")
        if u.parent is None or u.parent.kind not in bureau_kinds
    ]
    return sorted(seat, key=lambda u: (u.sort, u.path)) + sorted(tops, key=lambda u: u.path)


def towns(user: User | None = None) -> list[OrgUnit]:
    """The 建制镇 and 乡 of the 村镇 return (not the seat town), within ``user``'s scope."""
    qs = OrgUnit.objects.filter(kind__in=[OrgUnitKind.TOWN, OrgUnitKind.TOWNSHIP])
    if user is not None:
        qs = scope.org_units_for(user).filter(kind__in=[OrgUnitKind.TOWN, OrgUnitKind.TOWNSHIP])
    return [u for u in qs.order_by("sort", "path") if not _is_seat_town(u)]


def can_see_county(user: User) -> bool:
    """Whether ``user`` may open the 县城 return (it spans several units: county-wide
    users only)."""
    root = county_root()
    return root is not None and scope.org_units_for(user).filter(pk=root.pk).exists()
