"""Limits, alarm debounce and offline detection, in memory (the event loop's side).

A factor raises an alarm when ``needed`` consecutive readings are over its limit; the
alarm clears at the first valid reading back within it. Readings flagged as anything
but normal (N) or over range (T) — maintenance, calibration, fault, stopped — neither
count nor clear. A device silent for ``offline_after`` opens an offline alarm, which
its next accepted packet clears. Each change is an :class:`Event` for the writer, which
stores it (and opens the hazard); nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from zhujian.domains.sitemonitor.models import LIMITED_FACTORS, AlarmKind

OPEN = "open"
CLEAR = "clear"
COUNTED_FLAGS = frozenset({"N", "T"})


@dataclass(slots=True)
class Event:
    action: str  # OPEN | CLEAR
    kind: str  # AlarmKind value
    device_id: int
    project_id: int
    factor: str
    at: dt.datetime
    limit: float | None = None
    peak: float | None = None
    readings: int = 0


@dataclass(slots=True)
class _Track:
    count: int
    peak: float
    first_at: dt.datetime


class Supervisor:
    def __init__(
        self,
        limits: Mapping[str, float],
        needed: int,
        day_hours: tuple[int, int],
        offline_after: dt.timedelta,
        open_alarms: Iterable[tuple[int, str, str]] = (),
    ) -> None:
        self.limits = dict(limits)
        self.needed = needed
        self.day_hours = day_hours
        self.offline_after = offline_after
        self.open: set[tuple[int, str, str]] = set(open_alarms)
        self.tracks: dict[tuple[int, str], _Track] = {}

    def limit_for(self, factor: str, at: dt.datetime) -> float | None:
        if factor == "LA":
            start, end = self.day_hours
            return self.limits.get("LA_day" if start <= at.hour < end else "LA_night")
        return self.limits.get(factor)

    def observe(
        self,
        device_id: int,
        project_id: int,
        at: dt.datetime,
        values: Mapping[str, tuple[float, str]],
    ) -> list[Event]:
        """Check one reading's values (factor → (value in standard units, flag))."""
        events: list[Event] = []
        for factor in LIMITED_FACTORS:
            if factor not in values:
                continue
            value, flag = values[factor]
            if flag not in COUNTED_FLAGS:
                continue
            limit = self.limit_for(factor, at)
            if limit is None:
                continue
            key = (device_id, factor)
            alarm = (device_id, AlarmKind.OVER_LIMIT.value, factor)
            if value > limit:
                track = self.tracks.get(key)
                if track is None:
                    track = self.tracks[key] = _Track(0, value, at)
                track.count += 1
                track.peak = max(track.peak, value)
                if alarm not in self.open and track.count >= self.needed:
                    self.open.add(alarm)
                    events.append(
                        Event(
                            OPEN,
                            AlarmKind.OVER_LIMIT,
                            device_id,
                            project_id,
                            factor,
                            track.first_at,
                            limit,
                            track.peak,
                            track.count,
                        )
                    )
            else:
                track = self.tracks.pop(key, None)
                if alarm in self.open:
                    self.open.discard(alarm)
                    events.append(
                        Event(
                            CLEAR,
                            AlarmKind.OVER_LIMIT,
                            device_id,
                            project_id,
                            factor,
                            at,
                            limit,
                            track.peak if track else None,
                            track.count if track else 0,
                        )
                    )
        return events

    def heard(self, device_id: int, project_id: int, at: dt.datetime) -> Event | None:
        """A device sent an accepted packet: clear its offline alarm if one is open."""
        alarm = (device_id, AlarmKind.OFFLINE.value, "")
        if alarm not in self.open:
            return None
        self.open.discard(alarm)
        return Event(CLEAR, AlarmKind.OFFLINE, device_id, project_id, "", at)

    def check_offline(
        self, now: dt.datetime, last_seen: Mapping[int, dt.datetime], projects: Mapping[int, int]
    ) -> list[Event]:
        """Open an offline alarm for each device (``projects``: device → site) last heard
        before ``now - offline_after``. A device never heard from is not alarmed."""
        events = []
        cutoff = now - self.offline_after
        for device_id, project_id in projects.items():
            last = last_seen.get(device_id)
            alarm = (device_id, AlarmKind.OFFLINE.value, "")
            if last is None or last >= cutoff or alarm in self.open:
                continue
            self.open.add(alarm)
            events.append(Event(OPEN, AlarmKind.OFFLINE, device_id, project_id, "", last))
        return events
