"""Limits, averaging, alarm debounce and offline detection, in memory (the event loop's side).

Each limit is compared with the mean its standard states (GB 3095-2012: 24-hour mean;
GB 12523-2011: 20-minute equivalent level, an energy mean; a county's local standard:
its own period, ``ZHUJIAN_HJ212_AVERAGING_MINUTES``), computed over the readings whose
DataTime lies in the period ending at the current reading. Readings are summed into at
most 24 buckets per period (one-minute buckets at least), so a 24-hour mean of real-time
data costs 24 numbers per device and factor; the period's start is exact to a bucket.

A factor raises an alarm when that mean is over its limit at ``needed`` consecutive
readings; the alarm clears at the first valid reading whose mean is back within it. A
reading not later than the device's last observed one (a re-sent packet, or history
sent after newer data) is stored but counts neither way. Readings flagged as anything
but normal (N) or over range (T) — maintenance, calibration, fault, stopped — neither
count nor clear. A device silent for ``offline_after`` opens an offline alarm, which
its next accepted packet clears. Each change is an :class:`Event` for the writer, which
stores it (and opens the hazard); nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

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
    basis: str = ""


@dataclass(slots=True)
class _Track:
    count: int
    peak: float
    first_at: dt.datetime


@dataclass(slots=True)
class _Window:
    """Sums of one factor's readings in buckets: [start (epoch s), sum, n]."""

    bucket: float
    buckets: deque[list[float]] = field(default_factory=deque)


class Supervisor:
    def __init__(
        self,
        limits: Mapping[str, float],
        needed: int,
        day_hours: tuple[int, int],
        offline_after: dt.timedelta,
        open_alarms: Iterable[tuple[int, str, str]] = (),
        averaging: Mapping[str, float] | None = None,
        sources: Mapping[str, str] | None = None,
    ) -> None:
        self.limits = dict(limits)
        self.averaging = dict(averaging or {})
        self.sources = dict(sources or {})
        self.windows: dict[tuple[int, str], _Window] = {}
        self.latest: dict[int, dt.datetime] = {}
        self.not_counted = 0
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

    def mean(self, device_id: int, factor: str, at: dt.datetime, value: float) -> float:
        """The factor's mean over its averaging period ending at ``at``, this reading in
        (noise: the equivalent level, 10·lg of the mean of 10^(L/10))."""
        minutes = self.averaging.get(factor, 0)
        if minutes <= 0:
            return value
        key = (device_id, factor)
        window = self.windows.get(key)
        if window is None:
            window = self.windows[key] = _Window(max(60.0, minutes * 60 / 24))
        t = at.timestamp()
        start = t - t % window.bucket
        x = 10 ** (value / 10) if factor == "LA" else value
        buckets = window.buckets
        if buckets and buckets[-1][0] == start:
            buckets[-1][1] += x
            buckets[-1][2] += 1
        else:
            buckets.append([start, x, 1])
        begin = t - minutes * 60
        while buckets[0][0] + window.bucket <= begin:
            buckets.popleft()
        total = sum(b[1] for b in buckets)
        n = sum(b[2] for b in buckets)
        mean = total / n
        return 10 * math.log10(mean) if factor == "LA" else mean

    def observe(
        self,
        device_id: int,
        project_id: int,
        at: dt.datetime,
        values: Mapping[str, tuple[float, str]],
    ) -> list[Event]:
        """Check one reading's values (factor → (value in standard units, flag))."""
        last = self.latest.get(device_id)
        if last is not None and at <= last:
            self.not_counted += 1
            return []
        self.latest[device_id] = at
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
            level = self.mean(device_id, factor, at, value)
            key = (device_id, factor)
            alarm = (device_id, AlarmKind.OVER_LIMIT.value, factor)
            basis = self.sources.get(factor, "")
            if level > limit:
                track = self.tracks.get(key)
                if track is None:
                    track = self.tracks[key] = _Track(0, level, at)
                track.count += 1
                track.peak = max(track.peak, level)
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
                            basis,
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
                            basis,
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
