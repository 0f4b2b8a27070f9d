"""Where a running job's progress and the workers' heartbeats are kept, and read back.

An import runs in one transaction in the job's own process. Its progress cannot go
through that transaction (nobody else would see it before the end), so the job process
sends it over a pipe to the worker process, which stores it here:

- **PostgreSQL**: an ``UPDATE`` of the job row and a row per worker in ``JobWorker``,
  on the worker's own connection — readers see them at once, the import's transaction
  is not involved.
- **SQLite**: a small side database (``ZHUJIAN_JOB_STATE_FILE``, stdlib ``sqlite3`` in
  WAL mode) that imports never lock. SQLite has one writer at a time and an import holds
  that lock for its whole transaction, so progress written to the main database would
  wait until the import ends.

Pages read progress through :func:`overlay` only, the health check and the worker read
heartbeats through :func:`workers` only; the final status, message and files are always
written to the job row itself.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import connection
from django.utils import timezone

from zhujian.core.models import Job, JobWorker


@dataclass(frozen=True)
class WorkerInfo:
    worker_id: str
    host: str
    pid: int
    started_at: dt.datetime
    seen_at: dt.datetime

    @property
    def label(self) -> str:
        return f"{self.host}:{self.pid}:{self.worker_id}"


class Store(Protocol):
    def set_progress(self, job_id: int, task_id: str, done: int, total: int) -> None: ...

    def progress(self, jobs: Iterable[Job]) -> dict[int, tuple[int, int]]: ...

    def clear(self, job_id: int) -> None: ...

    def beat(self, info: WorkerInfo) -> None: ...

    def workers(self) -> list[WorkerInfo]: ...

    def forget(self, worker_id: str) -> None: ...


class DatabaseStore:
    """PostgreSQL (and any backend with concurrent writers): the job row, ``JobWorker``."""

    def set_progress(self, job_id: int, task_id: str, done: int, total: int) -> None:
        Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(done=done, total=total)

    def progress(self, jobs: Iterable[Job]) -> dict[int, tuple[int, int]]:
        return {}  # the rows carry it

    def clear(self, job_id: int) -> None:
        pass

    def beat(self, info: WorkerInfo) -> None:
        JobWorker.objects.update_or_create(
            worker_id=info.worker_id,
            defaults={
                "host": info.host,
                "pid": info.pid,
                "started_at": info.started_at,
                "seen_at": info.seen_at,
            },
        )

    def workers(self) -> list[WorkerInfo]:
        return [
            WorkerInfo(w.worker_id, w.host, w.pid, w.started_at, w.seen_at)
            for w in JobWorker.objects.all()
        ]

    def forget(self, worker_id: str) -> None:
        JobWorker.objects.filter(worker_id=worker_id).delete()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS progress (
    task_id TEXT PRIMARY KEY, job_id INTEGER NOT NULL,
    done INTEGER NOT NULL, total INTEGER NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS workers (
    worker_id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL,
    started REAL NOT NULL, seen REAL NOT NULL);
"""


class FileStore:
    """SQLite: a side database file that no import ever locks.

    A connection is opened per call: calls are rare (a few per second at most), and a
    connection never crosses the worker's ``fork``. Rows are keyed by the task id, which
    is unique across databases, so two databases sharing a folder do not mix.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(_SCHEMA)
        return conn

    def set_progress(self, job_id: int, task_id: str, done: int, total: int) -> None:
        with _closing(self._connect()) as conn:
            conn.execute(
                "INSERT INTO progress (task_id, job_id, done, total, at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (task_id) DO UPDATE SET done = excluded.done, "
                "total = excluded.total, at = excluded.at",
                (task_id or f"job-{job_id}", job_id, done, total, time.time()),
            )

    def progress(self, jobs: Iterable[Job]) -> dict[int, tuple[int, int]]:
        keys = {(j.task_id or f"job-{j.pk}"): j.pk for j in jobs}
        if not keys or not self.path.exists():
            return {}
        with _closing(self._connect()) as conn:
            marks = ",".join("?" * len(keys))
            rows = conn.execute(
                f"SELECT task_id, job_id, done, total FROM progress WHERE task_id IN ({marks})",
                list(keys),
            ).fetchall()
        return {keys[t]: (done, total) for t, job_id, done, total in rows if keys[t] == job_id}

    def clear(self, job_id: int) -> None:
        if self.path.exists():
            with _closing(self._connect()) as conn:
                conn.execute("DELETE FROM progress WHERE job_id = ?", (job_id,))

    def beat(self, info: WorkerInfo) -> None:
        with _closing(self._connect()) as conn:
            conn.execute(
                "INSERT INTO workers (worker_id, host, pid, started, seen) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (worker_id) DO UPDATE SET seen = excluded.seen",
                (
                    info.worker_id,
                    info.host,
                    info.pid,
                    info.started_at.timestamp(),
                    info.seen_at.timestamp(),
                ),
            )

    def workers(self) -> list[WorkerInfo]:
        if not self.path.exists():
            return []
        with _closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT worker_id, host, pid, started, seen FROM workers"
            ).fetchall()
        return [WorkerInfo(w, h, p, _from_epoch(s), _from_epoch(seen)) for w, h, p, s, seen in rows]

    def forget(self, worker_id: str) -> None:
        if self.path.exists():
            with _closing(self._connect()) as conn:
                conn.execute("DELETE FROM workers WHERE worker_id = ?", (worker_id,))


class _closing:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        return self.conn

    def __exit__(self, *exc: Any) -> None:
        self.conn.close()


def _from_epoch(value: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def store() -> Store:
    """The store for the configured database (see the module docstring)."""
    if connection.vendor == "sqlite":
        return FileStore(settings.ZHUJIAN_JOB_STATE_FILE)
    return DatabaseStore()


# --- what the rest of the project calls ------------------------------------------------


def overlay(*jobs: Job) -> None:
    """Put the live progress of the running ``jobs`` on them (the page's one read path)."""
    running = [j for j in jobs if j.status == Job.Status.RUNNING]
    if not running:
        return
    found = store().progress(running)
    for job in running:
        if job.pk in found:
            job.done, job.total = found[job.pk]


#: Set in a job's process by the worker: sends progress to the worker over a pipe.
_channel: Any = None


def report(job: Job, done: int, total: int) -> None:
    """Progress of ``job``, from the code doing the work (an import's callback)."""
    if _channel is not None:
        _channel.send({"progress": [job.pk, job.task_id, done, total]})
    else:  # run in-process (tests' immediate backend, or a command): store it directly
        store().set_progress(job.pk, job.task_id, done, total)


def workers() -> list[WorkerInfo]:
    return store().workers()


def fresh_workers(now: dt.datetime | None = None) -> list[WorkerInfo]:
    """Workers whose heartbeat is younger than the lease (``ZHUJIAN_WORKER_LEASE_S``)."""
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.ZHUJIAN_WORKER_LEASE_S)
    return [w for w in workers() if now - w.seen_at <= lease]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
