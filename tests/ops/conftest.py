"""A scratch database that other processes can open: ``zhujian worker``, ``backup``,
``restore``, gunicorn.

The test database cannot serve: on SQLite it lives in this process's memory, and on
both backends each test's changes stay in a transaction other processes never see.
``scratch`` copies the session's demo county into a database of its own:

- SQLite: the in-memory test database is copied into a file with SQLite's backup API;
- PostgreSQL: ``CREATE DATABASE … TEMPLATE <test database>`` (the test database's
  connections are closed first), dropped again at the end.

Commands then run as subprocesses with ``DATABASE_URL`` pointing at the copy.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ZHUJIAN = str(Path(sys.executable).with_name("zhujian"))


@dataclass
class Scratch:
    vendor: str
    url: str
    var_dir: Path
    db_name: str = ""
    sqlite_path: Path | None = None
    procs: list[subprocess.Popen] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTEST_", "DJANGO_")) and k != "DATABASE_URL"
        }
        env.update(
            DATABASE_URL=self.url,
            ZHUJIAN_VAR_DIR=str(self.var_dir),
            ZHUJIAN_DEBUG="0",
            ZHUJIAN_SECRET_KEY="tests-only-not-a-secret",
            ZHUJIAN_DATA_KEYS="tests:" + "22" * 32,  # SM4 data key (core.crypto), tests only
            ZHUJIAN_JOB_STATE_FILE=str(self.var_dir / "jobs-state.sqlite3"),
            ZHUJIAN_LOG_LEVEL="INFO",
            # This checkout's code, also where the venv's editable install names another.
            PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "src")]),
        )
        return env

    def run(
        self, *args: str, check: bool = True, timeout: float = 300, **env: str
    ) -> subprocess.CompletedProcess:
        """``zhujian <args>`` against the scratch database (killed after ``timeout`` s)."""
        done = subprocess.run(
            [ZHUJIAN, *args],
            env={**self.env, **env},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"zhujian {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def helper(self, *args: str) -> Any:
        """``python -m tests.ops.helper <args>``; its JSON answer."""
        done = subprocess.run(
            [sys.executable, "-m", "tests.ops.helper", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(f"helper {args} failed:\n{done.stdout}\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        """``zhujian <args>`` in the background (stopped at the end of the test)."""
        log = open(self.var_dir / f"{args[0]}-{len(self.procs)}.log", "w")
        proc = subprocess.Popen(
            [ZHUJIAN, *args], env={**self.env, **env}, cwd=ROOT, stdout=log, stderr=log
        )
        self.procs.append(proc)
        return proc

    def log(self, proc: subprocess.Popen) -> str:
        index = self.procs.index(proc)
        name = proc.args[1] if isinstance(proc.args, list) else "proc"
        return (self.var_dir / f"{name}-{index}.log").read_text()

    def job_row(self, job_id: int) -> tuple[str, int, int]:
        """(status, done, total) as a page would read them, without Django."""
        if self.vendor == "sqlite":
            assert self.sqlite_path is not None
            conn = sqlite3.connect(self.sqlite_path, timeout=10)
            try:
                status, task_id = conn.execute(
                    "SELECT status, task_id FROM core_job WHERE id = ?", (job_id,)
                ).fetchone()
            finally:
                conn.close()
            state = self.var_dir / "jobs-state.sqlite3"
            done = total = 0
            if state.exists():
                conn = sqlite3.connect(state, timeout=10)
                try:
                    row = conn.execute(
                        "SELECT done, total FROM progress WHERE task_id = ?", (task_id,)
                    ).fetchone()
                except sqlite3.OperationalError:  # the worker has not created it yet
                    row = None
                finally:
                    conn.close()
                done, total = row or (0, 0)
            return status, done, total
        import psycopg

        with psycopg.connect(self.url) as conn:
            return conn.execute(
                "SELECT status, done, total FROM core_job WHERE id = %s", (job_id,)
            ).fetchone()

    def wait_for(self, job_id: int, predicate: Any, timeout: float = 60) -> tuple[str, int, int]:
        deadline = time.monotonic() + timeout
        while True:
            row = self.job_row(job_id)
            if predicate(*row):
                return row
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} stayed at {row}")
            time.sleep(0.2)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)


def _pg_admin(url: str, sql: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def pg_url(name: str) -> str:
    """The URL of database ``name`` on the test server."""
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def scratch_golden(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[str]:
    """The session's demo county copied once, before any test's transaction: a SQLite
    file, or a PostgreSQL database used only as a template."""
    from django.db import connection, connections

    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            path = tmp_path_factory.mktemp("golden") / "zhujian.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()
            yield str(path)
            return
        name = f"zj_golden_{uuid.uuid4().hex[:10]}"
        test_db = connection.settings_dict["NAME"]
        connections.close_all()
        _pg_admin(os.environ["DATABASE_URL"], f'CREATE DATABASE "{name}" TEMPLATE "{test_db}"')
    try:
        yield name
    finally:
        _pg_admin(os.environ["DATABASE_URL"], f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_scratch(golden: str, var_dir: Path) -> Scratch:
    var_dir.mkdir(parents=True, exist_ok=True)
    if golden.endswith(".sqlite3"):
        path = var_dir / "zhujian.sqlite3"
        shutil.copyfile(golden, path)
        return Scratch("sqlite", f"sqlite:///{path}", var_dir, sqlite_path=path)
    name = f"zj_scratch_{uuid.uuid4().hex[:10]}"
    _pg_admin(os.environ["DATABASE_URL"], f'CREATE DATABASE "{name}" TEMPLATE "{golden}"')
    return Scratch("postgresql", pg_url(name), var_dir, db_name=name)


def drop_scratch(item: Scratch) -> None:
    item.stop_all()
    if item.vendor == "postgresql":
        _pg_admin(
            os.environ["DATABASE_URL"], f'DROP DATABASE IF EXISTS "{item.db_name}" WITH (FORCE)'
        )


@pytest.fixture
def scratch(scratch_golden: str, tmp_path) -> Iterator[Scratch]:
    """A copy of the demo county in a database of its own (see the module docstring).

    Tests using it are marked ``django_db`` only so that pytest-django creates the test
    database they copy; they never touch the test database themselves."""
    item = make_scratch(scratch_golden, tmp_path / "var")
    try:
        yield item
    finally:
        drop_scratch(item)
