"""The one background task: run a :class:`~zhujian.core.models.Job` by its kind.

``run_job`` is a Django task (``django.tasks``); the web views create the job row and
enqueue it with :func:`submit`. In production the database backend (django-tasks-db)
stores it and ``zhujian worker`` runs it in a process of its own
(:mod:`zhujian.jobs.worker`); the tests use the immediate backend.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.tasks import task
from django.utils import timezone

from zhujian.core.models import Job

logger = logging.getLogger("zhujian.jobs")

#: The message a user reads when a job failed on a bug (the trace goes to the log).
BUG_MESSAGE = "处理时发生系统错误，{what}请联系系统管理员。"


def nothing_kept(job: Job) -> str:
    """What a failure left behind, in the user's words."""
    return "数据未写入。" if job.kind == Job.Kind.IMPORT else "未生成文件。"


def _handlers() -> dict[str, Callable[[Job], dict[str, Any]]]:
    from zhujian.imports import jobs as import_jobs
    from zhujian.reports import jobs as report_jobs

    return {
        Job.Kind.IMPORT: import_jobs.run_import,
        Job.Kind.EXPORT: import_jobs.run_export,
        Job.Kind.REPORT: report_jobs.run_report,
    }


@task()
def run_job(job_id: int) -> dict[str, Any]:
    """Run job ``job_id``; its outcome is written to the job row. Returns a short summary."""
    job = Job.objects.select_related("user", "user__org_unit").get(pk=job_id)
    if job.finished:  # e.g. reaped as failed while it waited: never run twice
        return {"job": job.pk, "status": job.status, "skipped": True}
    if job.status != Job.Status.RUNNING or job.started_at is None:
        job.status = Job.Status.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        outcome = _handlers()[job.kind](job)
    except MemoryError:
        raise  # the worker reports it (the process may be too short of memory to write)
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        fail(job, BUG_MESSAGE.format(what=nothing_kept(job)))
        raise
    job.finished_at = timezone.now()
    job.save()
    return {"job": job.pk, "status": job.status, **outcome}


def fail(job: Job, message: str) -> None:
    """Mark ``job`` failed with ``message`` (the user's words), unless it already ended."""
    from zhujian.jobs import progress

    Job.objects.filter(pk=job.pk).exclude(
        status__in=[Job.Status.DONE, Job.Status.REFUSED, Job.Status.FAILED]
    ).update(status=Job.Status.FAILED, summary=message, finished_at=timezone.now())
    job.refresh_from_db()
    progress.store().clear(job.pk)


def submit(job: Job) -> Job:
    """Enqueue ``job`` (already saved). With the immediate backend it has run on return."""
    result = run_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id))
    job.refresh_from_db()
    return job
