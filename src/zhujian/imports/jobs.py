"""Running a web-started import: in a worker thread, reporting progress on the job row."""

from __future__ import annotations

import threading
import traceback
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import close_old_connections
from django.utils import timezone

from zhujian.core.models import ImportJob
from zhujian.core.registry import registry
from zhujian.imports.engine import import_file
from zhujian.imports.excel import write_error_report

# Progress of the imports running in this process: job pk → (done, total). The import runs
# in one transaction, so progress written to the job row would stay invisible to the page
# polling it until the end (and on SQLite a second connection cannot write meanwhile).
_live: dict[int, tuple[int, int]] = {}


def overlay_progress(job: ImportJob) -> ImportJob:
    """Put the live progress of a running ``job`` on it, for the progress page."""
    if job.pk in _live and not job.finished:
        job.done, job.total = _live[job.pk]
    return job


def start(job: ImportJob) -> None:
    """Run ``job`` in a thread (or inline when ZHUJIAN_IMPORT_IN_THREAD is off, as in tests)."""
    if getattr(settings, "ZHUJIAN_IMPORT_IN_THREAD", True):
        threading.Thread(target=_run_in_thread, args=(job.pk,), daemon=True).start()
    else:
        run(job.pk)


def _run_in_thread(pk: int) -> None:
    close_old_connections()
    try:
        run(pk)
    finally:
        close_old_connections()


def run(pk: int) -> None:
    job = ImportJob.objects.select_related("user", "user__org_unit").get(pk=pk)
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])

    def progress(done: int, total: int) -> None:
        _live[pk] = (done, total)

    try:
        ledger = registry.get(job.ledger)
        result = import_file(
            ledger, job.file.path, job.user, dry_run=job.dry_run, progress=progress
        )
    except Exception:  # a bug, not bad input: keep the trace for the administrator
        job.status = ImportJob.Status.FAILED
        job.summary = (
            "导入时发生系统错误，数据未写入。请联系系统管理员。\n" + traceback.format_exc()
        )
        job.finished_at = timezone.now()
        job.save()
        _live.pop(pk, None)
        return
    job.summary = result.summary()
    job.error_count = len(result.errors)
    job.errors = [
        {
            "sheet": e.sheet,
            "row": e.row,
            "column": e.column,
            "value": "" if e.value is None else str(e.value),
            "reason": e.reason,
        }
        for e in result.errors[:500]
    ]
    if result.errors:
        buffer = BytesIO()
        write_error_report(result.errors, buffer)
        job.error_report.save(f"errors-{job.pk}.xlsx", ContentFile(buffer.getvalue()), save=False)
        job.status = ImportJob.Status.REFUSED
    else:
        job.status = ImportJob.Status.DONE
        job.done = job.total = result.rows
    job.finished_at = timezone.now()
    job.save()
    _live.pop(pk, None)
