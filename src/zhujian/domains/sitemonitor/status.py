"""The state of each monitored site now: 正常 / 超标 / 离线, from the device registry, the
last-seen times and the open alarms. Read at request time, so a site whose receiver or
devices went quiet shows offline even when nothing wrote an alarm."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhujian.core import scope
from zhujian.core.models import OrgUnit, User
from zhujian.domains.construction.models import ConstructionProject, SiteDevice
from zhujian.domains.sitemonitor import conf
from zhujian.domains.sitemonitor.models import Alarm, AlarmKind

NORMAL, OVER, OFFLINE = "normal", "over", "offline"
STATES = {NORMAL: "正常", OVER: "超标", OFFLINE: "离线"}


@dataclass
class DeviceState:
    device_id: int
    code: str
    mn: str
    last_seen: dt.datetime | None
    state: str
    over: list[str] = field(default_factory=list)  # factor codes with an open alarm

    @property
    def state_label(self) -> str:
        return STATES[self.state]


@dataclass
class SiteState:
    project_id: int
    name: str
    unit: str
    devices: list[DeviceState] = field(default_factory=list)

    @property
    def state(self) -> str:
        states = {d.state for d in self.devices}
        return OVER if OVER in states else OFFLINE if OFFLINE in states else NORMAL

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    @property
    def last_seen(self) -> dt.datetime | None:
        seen = [d.last_seen for d in self.devices if d.last_seen]
        return max(seen) if seen else None


def monitored(today: dt.date | None = None) -> Q:
    """Devices the receiver takes data from on ``today``."""
    day = today or timezone.localdate()
    return (
        Q(protocol__enabled=True, installed_on__lte=day)
        & ~Q(mn="")
        & (Q(removed_on__isnull=True) | Q(removed_on__gt=day))
    )


def sites_for(user: User, unit: OrgUnit | None = None) -> QuerySet[ConstructionProject]:
    """Sites the user may see (scope gate), optionally under ``unit``."""
    qs = scope.restrict(ConstructionProject.objects.all(), user, "view")
    if unit is not None:
        qs = qs.filter(org_unit__path__startswith=unit.path)
    return qs


def site_states(
    sites: QuerySet[ConstructionProject], now: dt.datetime | None = None
) -> list[SiteState]:
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=conf.offline_minutes())
    rows = (
        SiteDevice.objects.filter(monitored(timezone.localdate(now)), project__in=sites)
        .order_by("project__name", "code")
        .values(
            "pk",
            "code",
            "mn",
            "project_id",
            "project__name",
            "project__org_unit__name",
            "hj212_seen__last_seen_at",
        )
    )
    devices = [row for row in rows]
    over: dict[int, list[str]] = {}
    for device_id, factor in Alarm.objects.filter(
        device_id__in=[r["pk"] for r in devices], kind=AlarmKind.OVER_LIMIT, cleared_at__isnull=True
    ).values_list("device_id", "factor"):
        over.setdefault(device_id, []).append(factor)
    sites: dict[int, SiteState] = {}
    for row in devices:
        site = sites.setdefault(
            row["project_id"],
            SiteState(row["project_id"], row["project__name"], row["project__org_unit__name"]),
        )
        seen = row["hj212_seen__last_seen_at"]
        if seen is None or seen < cutoff:
            state = OFFLINE
        elif row["pk"] in over:
            state = OVER
        else:
            state = NORMAL
        site.devices.append(
            DeviceState(row["pk"], row["code"], row["mn"], seen, state, over.get(row["pk"], []))
        )
    return list(sites.values())


def counts(states: list[SiteState]) -> dict[str, int]:
    out = dict.fromkeys(STATES, 0)
    for site in states:
        out[site.state] += 1
    return out


def as_rows(states: list[SiteState]) -> list[dict[str, Any]]:
    order = {OVER: 0, OFFLINE: 1, NORMAL: 2}
    return sorted(
        ({"site": s, "state": s.state} for s in states),
        key=lambda r: (order[r["state"]], r["site"].name),
    )
