"""``zhujian worker`` as a real process against a real database (SQLite file or PostgreSQL):
jobs run in a child process, progress is visible while an import's transaction is open,
and a job whose process dies, runs over its time or loses its worker ends failed with
nothing of it kept."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest

from tests.ops.conftest import Scratch, drop_scratch, make_scratch

LEDGER = "rural_toilethousehold"
ROWS = 100_000

pytestmark = pytest.mark.django_db


def _children(pid: int) -> list[int]:
    path = f"/proc/{pid}/task/{pid}/children"
    try:
        with open(path) as fh:
            return [int(p) for p in fh.read().split()]
    except FileNotFoundError:
        return []


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] == "Z"  # a zombie has exited
    except FileNotFoundError:
        return True


def test_worker_runs_a_report_job_in_a_child_process(scratch: Scratch) -> None:
    submitted = scratch.helper("submit", "report", "leader", "docx")
    scratch.run("worker", "--batch", "--worker-id", "w-report")
    job = scratch.helper("job", str(submitted["job"]))
    assert job["status"] == "done", job
    assert job["task_status"] == "SUCCESSFUL"
    assert job["result"].endswith(".docx")
    assert (scratch.var_dir / "media" / job["result"]).stat().st_size > 10_000
    _host, pid, worker_id = job["worker"].split(":")
    assert worker_id == "w-report" and pid.isdigit()


@pytest.fixture(scope="module")
def survey_file(scratch_golden: str, tmp_path_factory) -> Iterator[str]:
    """A file of ``ROWS`` households (written once for the module)."""
    item = make_scratch(scratch_golden, tmp_path_factory.mktemp("survey") / "var")
    try:
        path = item.var_dir / "survey.xlsx"
        item.helper("write-survey", str(path), str(ROWS))
        yield str(path)
    finally:
        drop_scratch(item)


@pytest.fixture
def survey(scratch: Scratch, survey_file: str) -> str:
    """The household toilet survey emptied (so the file only adds) and its file."""
    scratch.helper("clear-survey")
    return survey_file


def test_worker_killed_mid_import_leaves_nothing_and_the_job_failed(
    scratch: Scratch, survey: str
) -> None:
    before = scratch.helper("counts", LEDGER)
    job_id = scratch.helper("submit", "import", "cunzhen", survey, LEDGER)["job"]
    worker = scratch.start("worker", "--worker-id", "doomed", "--interval", "0.2")
    # progress is visible while the import's single transaction is still open
    _status, done, total = scratch.wait_for(job_id, lambda s, d, t: s == "running" and d >= 20_000)
    assert 20_000 <= done < total
    children = _children(worker.pid)
    assert len(children) == 1, "the import runs in a child process of the worker"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    deadline = time.monotonic() + 10
    while not _gone(children[0]):  # the job process dies with its worker
        assert time.monotonic() < deadline, "the job process outlived its worker"
        time.sleep(0.1)

    # a new worker finds the job of the dead one and marks it failed
    scratch.run("worker", "--batch", "--worker-id", "successor")
    job = scratch.helper("job", str(job_id))
    assert job["status"] == "failed" and job["task_status"] == "FAILED"
    assert "后台进程已停止" in job["summary"] and "数据未写入" in job["summary"]
    assert scratch.helper("counts", LEDGER) == before

    # the same file imports cleanly afterwards
    again = scratch.helper("submit", "import", "cunzhen", survey, LEDGER)["job"]
    scratch.run("worker", "--batch")
    job = scratch.helper("job", str(again))
    assert job["status"] == "done", job
    after = scratch.helper("counts", LEDGER)
    assert after["records"] == before["records"] + ROWS
    assert after["history"] == before["history"] + ROWS


def test_job_over_its_time_limit_is_killed_and_failed(scratch: Scratch, survey: str) -> None:
    before = scratch.helper("counts", LEDGER)
    job_id = scratch.helper("submit", "import", "cunzhen", survey, LEDGER)["job"]
    scratch.run("worker", "--batch", "--timeout", "2")
    job = scratch.helper("job", str(job_id))
    assert job["status"] == "failed"
    assert "超过时间上限（2 秒）" in job["summary"] and "数据未写入" in job["summary"]
    assert scratch.helper("counts", LEDGER) == before


def test_job_over_its_memory_limit_fails_with_a_clear_message(
    scratch: Scratch, survey: str
) -> None:
    before = scratch.helper("counts", LEDGER)
    job_id = scratch.helper("submit", "import", "cunzhen", survey, LEDGER)["job"]
    done = scratch.run("worker", "--batch", "--memory-mb", "160", "-v", "2")
    job = scratch.helper("job", str(job_id))
    assert job["status"] == "failed", (job, done.stderr)
    assert "内存" in job["summary"] and "160 MB" in job["summary"], job["summary"]
    assert scratch.helper("counts", LEDGER) == before


def test_worker_heartbeat_is_visible_while_it_runs(scratch: Scratch) -> None:
    worker = scratch.start("worker", "--worker-id", "beating")
    deadline = time.monotonic() + 30
    while True:
        health = scratch.helper("health")
        if health["checks"]["worker"]["ok"]:
            break
        assert time.monotonic() < deadline, health
        time.sleep(0.5)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=20) == 0
    assert os.path.exists(scratch.var_dir)
