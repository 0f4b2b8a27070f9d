"""One import at a time on SQLite: the second waits its turn instead of failing.

SQLite has one writer. An import holds its write transaction for as long as it runs
(all or nothing), so a second import started meanwhile would wait the connection's busy
timeout and then die with "database is locked". Imports therefore queue on a lock file
next to the database; PostgreSQL needs no such lock (row locks and the unique keys keep
concurrent imports apart).
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

WAIT_SECONDS = 15 * 60
BUSY_MESSAGE = "数据库正忙（另一个导入正在写入），请稍后重新导入；本次未写入任何数据。"


class ImportBusy(Exception):
    """Another import kept the lock for longer than we wait."""


def is_locked(exc: BaseException) -> bool:
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


@contextmanager
def import_lock(wait: float | None = None) -> Iterator[None]:
    """Hold the import lock for the block (SQLite only; a no-op elsewhere)."""
    if connection.vendor != "sqlite":
        yield
        return
    path = Path(settings.VAR_DIR) / "import.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
    with path.open("a+") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ImportBusy(
                        "另一个导入正在进行，等待超时；请稍后重新导入，本次未写入任何数据。"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
