"""The declared clock: the one place the time of day comes from for deadlines that are
judged at the moment something happens (a data request submitted on time or late).

Production reads the system clock. Tests and demonstrations set the clock instead of
sleeping (:func:`frozen`, or :func:`set_now` across threads, e.g. a browser test's live
server): the same code then decides "on time" and "late" for a chosen moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

_fixed: dt.datetime | None = None


def now() -> dt.datetime:
    """The current moment (aware), or the moment the clock is set to."""
    return _fixed if _fixed is not None else timezone.now()


def today() -> dt.date:
    """The current local date (Asia/Shanghai by default)."""
    return timezone.localdate(now())


def set_now(moment: dt.datetime | None) -> None:
    """Set the clock (None: the system clock again). A naive moment is local time."""
    global _fixed
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    _fixed = moment


@contextmanager
def frozen(moment: dt.datetime) -> Iterator[None]:
    """The clock stands at ``moment`` inside the block."""
    before = _fixed
    set_now(moment)
    try:
        yield
    finally:
        set_now(before)
