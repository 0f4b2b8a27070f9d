"""A value built from database rows, kept in the process and rebuilt when the rows change.

The holiday calendar and the parameter overrides are read for every deadline and every
rule check (thousands per import), so each process keeps them in memory. A change made in
this process invalidates at once (the model's signals call :meth:`StampedCache.invalidate`);
a change made in another process (another gunicorn worker, the background worker) is seen
within ``recheck_s`` seconds: the cache then asks the database for a cheap *stamp* (the
latest history id of the model) and rebuilds only when it moved.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

_ALL: list[StampedCache[Any]] = []


class StampedCache[T]:
    """``get()`` returns ``load()``'s value, rebuilt when ``stamp()`` changes."""

    def __init__(
        self, load: Callable[[], T], stamp: Callable[[], Any], recheck_s: float = 5.0
    ) -> None:
        self._load = load
        self._stamp = stamp
        self.recheck_s = recheck_s
        self._value: T | None = None
        self._valid = False
        self._stamp_seen: Any = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        _ALL.append(self)

    def get(self) -> T:
        now = time.monotonic()
        if self._valid and now - self._checked_at < self.recheck_s:
            return self._value  # type: ignore[return-value]
        with self._lock:
            stamp = self._stamp()
            if not self._valid or stamp != self._stamp_seen:
                self._value = self._load()
                self._stamp_seen = stamp
                self._valid = True
            self._checked_at = now
            return self._value  # type: ignore[return-value]

    def invalidate(self) -> None:
        self._valid = False


def before_migrations[T](read: Callable[[], T], default: T) -> Callable[[], T]:
    """``read``, or ``default`` while its table does not exist yet (``zhujian migrate`` on a
    new database runs code that asks for parameters before their table is made). The read
    runs in a savepoint, so a failure leaves PostgreSQL's transaction usable."""
    from django.db import DatabaseError, transaction

    def guarded() -> T:
        try:
            with transaction.atomic():
                return read()
        except DatabaseError:
            return default

    return guarded


def invalidate_all() -> None:
    """Forget every cached value (tests roll back rows behind the caches' backs)."""
    for cache in _ALL:
        cache.invalidate()
