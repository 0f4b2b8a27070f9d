"""``zhujian worker``: claim tasks from the database and run each in a process of its own.

The claim is django-tasks-db's (``DBTaskResult.objects.ready()``, ``get_locked()`` under
its ``exclusive_transaction``, ``claim(worker_id)``), so several workers never take the
same task. Each task then runs in a forked child process:

- the database connections are closed before ``fork`` (the child opens its own);
- the child limits its address space (``RLIMIT_AS`` = ``ZHUJIAN_JOB_MEMORY_MB``), dies
  with the worker (``PR_SET_PDEATHSIG``) and sends progress and its outcome over a pipe;
- the worker stores that progress (:mod:`zhujian.jobs.progress`), keeps its heartbeat
  fresh, and kills the child when it runs longer than ``ZHUJIAN_JOB_TIMEOUT_S``.

A child that died (a signal, ``MemoryError``, a non-zero exit) or ran out of time leaves
its job failed with a message in Chinese; an import is one transaction, so nothing of it
stays. A job left running by a worker that itself died (a reboot, SIGKILL) is failed by
the next worker that starts, and periodically by every running worker (:meth:`reap`).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import logging
import os
import resource
import select
import signal
import socket
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import OperationalError, close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.json import normalize_json
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from zhujian.core.models import Job
from zhujian.jobs import progress
from zhujian.jobs.tasks import fail, nothing_kept, run_job

logger = logging.getLogger("zhujian.jobs")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_MEMORY = 3
HEARTBEAT_S = 5.0
PR_SET_PDEATHSIG = 1


class JobProcessError(Exception):
    """A job's process ended abnormally; recorded on the task (the job row has the text)."""


@dataclass
class Outcome:
    ok: bool
    value: Any = None
    message: str = ""  # the user's words, for a failure
    detail: str = ""  # for the administrator (trace, signal, exit code)


class Channel:
    """The child's end of the pipe: one JSON object per line."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, message: dict[str, Any]) -> None:
        data = (json.dumps(message, ensure_ascii=False, default=str) + "\n").encode()
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when the worker that forked it dies, so a job
    never outlives its worker (whose successor will mark it failed)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the pipe check below still applies
        pass


class Worker:
    def __init__(
        self,
        *,
        worker_id: str | None = None,
        queue_names: list[str] | None = None,
        backend_name: str = "default",
        interval: float = 1.0,
        batch: bool = False,
        max_tasks: int | None = None,
        memory_mb: int | None = None,
        timeout_s: float | None = None,
    ) -> None:
        self.worker_id = worker_id or get_random_string(12)
        self.queue_names = queue_names or ["default"]
        self.backend_name = backend_name
        self.interval = interval
        self.batch = batch
        self.max_tasks = max_tasks
        self.memory_mb = memory_mb if memory_mb is not None else settings.ZHUJIAN_JOB_MEMORY_MB
        self.timeout_s = timeout_s if timeout_s is not None else settings.ZHUJIAN_JOB_TIMEOUT_S
        now = timezone.now()
        self.info = progress.WorkerInfo(self.worker_id, socket.gethostname(), os.getpid(), now, now)
        self.running = True
        self.child: int | None = None
        self.done_tasks = 0
        self._last_beat = 0.0
        self._last_reap = 0.0

    # --- the loop ------------------------------------------------------------------------

    def run(self) -> None:
        logger.info("worker %s started (pid %s)", self.worker_id, os.getpid())
        self.beat(force=True)
        self.reap()
        try:
            while self.running:
                close_old_connections()
                self.beat()
                if time.monotonic() - self._last_reap >= settings.ZHUJIAN_WORKER_LEASE_S / 2:
                    self.reap()
                claimed = self.claim()
                if claimed is not None:
                    self.execute(claimed)
                    self.done_tasks += 1
                    if self.max_tasks and self.done_tasks >= self.max_tasks:
                        break
                    continue
                if self.batch:
                    break
                time.sleep(self.interval)
        finally:
            try:
                progress.store().forget(self.worker_id)
            except Exception:  # the database may be gone at shutdown: the lease expires
                logger.warning("could not remove worker %s's heartbeat", self.worker_id)
            logger.info("worker %s stopped", self.worker_id)

    def stop(self, signum: int, _frame: Any) -> None:
        if not self.running and self.child:
            logger.warning("second %s: stopping the running job", signal.strsignal(signum))
            self._kill_child()
            return
        logger.warning(
            "%s: finishing the running job, then stopping (again to stop it now)",
            signal.strsignal(signum),
        )
        self.running = False
        if self.child is None:
            raise SystemExit(0)

    def install_signals(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def beat(self, force: bool = False) -> None:
        if not force and time.monotonic() - self._last_beat < HEARTBEAT_S:
            return
        self._last_beat = time.monotonic()
        info = progress.WorkerInfo(
            self.info.worker_id, self.info.host, self.info.pid, self.info.started_at, timezone.now()
        )
        try:
            progress.store().beat(info)
        except OperationalError as exc:  # SQLite busy: the next beat will do
            logger.warning("heartbeat not written: %s", exc)

    def claim(self) -> DBTaskResult | None:
        tasks = DBTaskResult.objects.ready().filter(
            backend_name=self.backend_name, queue_name__in=self.queue_names
        )
        try:
            with exclusive_transaction(tasks.db):
                found = tasks.get_locked()
                if found is None:
                    return None
                found.claim(self.label)
                job_id = _job_id(found)
                if job_id is not None:
                    Job.objects.filter(pk=job_id, status=Job.Status.PENDING).update(
                        status=Job.Status.RUNNING,
                        started_at=timezone.now(),
                        worker=self.label,
                        task_id=str(found.id),
                    )
                return found
        except OperationalError as exc:
            if is_locked_database_exception(exc):  # SQLite: another writer; try again later
                return None
            raise

    @property
    def label(self) -> str:
        """The id recorded on tasks and jobs: host and pid make a dead worker detectable."""
        return self.info.label[:64]

    # --- one task in its own process ------------------------------------------------------

    def execute(self, task: DBTaskResult) -> None:
        job_id = _job_id(task)
        connections.close_all()
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_fd)
            self._child(task, write_fd)
        os.close(write_fd)
        self.child = pid
        started = time.monotonic()
        try:
            outcome = self._watch(pid, read_fd, task, job_id, started)
        finally:
            os.close(read_fd)
            self.child = None
        self._record(task, job_id, outcome)

    def _child(self, task: DBTaskResult, fd: int) -> None:
        code = EXIT_ERROR
        channel = Channel(fd)
        try:
            _die_with_parent()
            if os.getppid() == 1:  # the worker died before the line above took effect
                os._exit(EXIT_ERROR)
            os.setpgid(0, 0)  # a terminal's Ctrl-C goes to the worker, which decides
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            if self.memory_mb:
                limit = self.memory_mb * 1024 * 1024
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            progress._channel = channel
            result = task.task_result
            if task.task.takes_context:
                from django.tasks import TaskContext

                value = task.task.call(
                    TaskContext(task_result=result), *result.args, **result.kwargs
                )
            else:
                value = task.task.call(*result.args, **result.kwargs)
            channel.send({"result": normalize_json(value)})
            code = EXIT_OK
        except MemoryError:
            code = EXIT_MEMORY
        except BaseException:
            try:
                channel.send({"error": traceback.format_exc()})
            except Exception:
                pass
            code = EXIT_ERROR
        finally:
            try:
                connections.close_all()
            except Exception:
                pass
            os._exit(code)

    def _watch(
        self, pid: int, fd: int, task: DBTaskResult, job_id: int | None, started: float
    ) -> Outcome:
        buffer = b""
        value: Any = None
        error = ""
        got_result = False
        timed_out = False
        status = None
        while status is None:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if ready:
                chunk = os.read(fd, 65536)
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    message = json.loads(line)
                    if "progress" in message:
                        jid, task_id, done, total = message["progress"]
                        self._store_progress(jid, task_id, done, total)
                    elif "result" in message:
                        value, got_result = message["result"], True
                    elif "error" in message:
                        error = message["error"]
                if not chunk:  # the child closed its end: it is ending
                    _, status = os.waitpid(pid, 0)
                    break
            self.beat()
            if time.monotonic() - started > self.timeout_s and not timed_out:
                timed_out = True
                logger.warning("job process %s ran over %s s: killing it", pid, self.timeout_s)
                os.kill(pid, signal.SIGKILL)
            done_pid, st = os.waitpid(pid, os.WNOHANG)
            if done_pid:
                status = st
        return self._outcome(status, value, got_result, error, timed_out)

    def _store_progress(self, job_id: int, task_id: str, done: int, total: int) -> None:
        try:
            progress.store().set_progress(job_id, task_id, done, total)
        except OperationalError as exc:
            logger.warning("progress not stored: %s", exc)

    def _outcome(
        self, status: int, value: Any, got_result: bool, error: str, timed_out: bool
    ) -> Outcome:
        if timed_out:
            return Outcome(
                False,
                message=f"任务运行超过时间上限（{self.timeout_s:g} 秒），已被中止，{{kept}}"
                "如确需更长时间，请联系系统管理员调整 ZHUJIAN_JOB_TIMEOUT_S。",
                detail=f"killed after {self.timeout_s} s",
            )
        memory = Outcome(
            False,
            message=f"任务所需内存超过上限（{self.memory_mb} MB），已被中止，{{kept}}"
            "请把文件拆成几个较小的文件分别导入，或请系统管理员调高 ZHUJIAN_JOB_MEMORY_MB。",
            detail="out of memory",
        )
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            if sig == signal.SIGABRT and self.memory_mb:
                # native code (the Rust Excel reader) aborts when an allocation fails
                return memory
            name = signal.Signals(sig).name if sig in signal.Signals else str(sig)
            return Outcome(
                False,
                message=f"任务进程被系统终止（信号 {name}），{{kept}}"
                "可能是服务器内存不足或服务被停止；请稍后重新提交。",
                detail=f"job process killed by {name}",
            )
        code = os.WEXITSTATUS(status)
        if code == EXIT_MEMORY:
            return memory
        if code == EXIT_OK and got_result:
            return Outcome(True, value=value)
        return Outcome(
            False,
            message=f"任务进程异常退出（退出码 {code}），{{kept}}请联系系统管理员。",
            detail=error or f"exit status {code}",
        )

    def _record(self, task: DBTaskResult, job_id: int | None, outcome: Outcome) -> None:
        close_old_connections()
        if outcome.ok:
            task.set_successful(outcome.value)
            return
        logger.error("task %s failed: %s", task.id, outcome.detail)
        if job_id is not None:
            job = Job.objects.filter(pk=job_id).first()
            if job is not None:
                fail(job, outcome.message.format(kept=nothing_kept(job)))
        task.set_failed(JobProcessError(outcome.detail))

    def _kill_child(self) -> None:
        if self.child:
            try:
                os.kill(self.child, signal.SIGKILL)
            except ProcessLookupError:
                pass

    # --- jobs whose worker is gone ---------------------------------------------------------

    def reap(self) -> int:
        """Fail the jobs and tasks left running by workers that are gone; returns how many.

        A worker is gone when its heartbeat is older than the lease
        (``ZHUJIAN_WORKER_LEASE_S``) or, on this host, when its process no longer exists.
        """
        self._last_reap = time.monotonic()
        try:
            return self._reap()
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return 0
            raise

    def _reap(self) -> int:
        now = timezone.now()
        lease = dt.timedelta(seconds=settings.ZHUJIAN_WORKER_LEASE_S)
        known = {w.label[:64]: w for w in progress.workers()}
        host = socket.gethostname()

        def gone(label: str) -> bool:
            if label == self.label:
                return False
            parts = label.split(":")
            if len(parts) >= 3 and parts[0] == host and parts[1].isdigit():
                if not progress.pid_alive(int(parts[1])):
                    return True
            info = known.get(label)
            return info is None or now - info.seen_at > lease

        reaped = 0
        for task in DBTaskResult.objects.running().filter(backend_name=self.backend_name):
            owner = task.worker_ids[-1] if task.worker_ids else ""
            if not gone(owner):
                continue
            job_id = _job_id(task)
            if job_id is not None:
                job = Job.objects.filter(pk=job_id).first()
                if job is not None and not job.finished:
                    fail(job, REAPED_MESSAGE.format(kept=nothing_kept(job)))
            task.set_failed(JobProcessError(f"worker {owner} is gone"))
            reaped += 1
        # A job marked running whose task is not (e.g. its task row was pruned).
        for job in Job.objects.filter(status=Job.Status.RUNNING).exclude(worker=""):
            if gone(job.worker):
                fail(job, REAPED_MESSAGE.format(kept=nothing_kept(job)))
                reaped += 1
        for info in known.values():
            if info.worker_id != self.worker_id and gone(info.label[:64]):
                progress.store().forget(info.worker_id)
        if reaped:
            logger.warning("marked %s job(s) of stopped workers as failed", reaped)
        return reaped


REAPED_MESSAGE = (
    "处理该任务的后台进程已停止（例如服务器重启或进程被结束），任务没有完成，{kept}请重新提交。"
)


def _job_id(task: DBTaskResult) -> int | None:
    """The job a task runs, when it is :func:`zhujian.jobs.tasks.run_job`."""
    if task.task_path != run_job.module_path:
        return None
    args = task.args_kwargs.get("args") or []
    kwargs = task.args_kwargs.get("kwargs") or {}
    value = args[0] if args else kwargs.get("job_id")
    return int(value) if value is not None else None


def main_loop(**options: Any) -> None:
    worker = Worker(**options)
    worker.install_signals()
    try:
        worker.run()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(0)
