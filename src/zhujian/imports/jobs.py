"""What an import job and an export job do; they run in ``zhujian worker``'s job process.

The web views only create the :class:`~zhujian.core.models.Job` row (with the uploaded
file) and enqueue it (:func:`zhujian.jobs.tasks.submit`): the web process never parses
a user's file.
"""

from __future__ import annotations

import tempfile
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.http import QueryDict

from zhujian.core import personal, scope
from zhujian.core.filters import filterset_for
from zhujian.core.models import Job
from zhujian.core.registry import registry
from zhujian.imports import csvfile
from zhujian.imports.engine import import_file
from zhujian.imports.excel import export_rows, write_error_report, write_marked_copy
from zhujian.jobs import progress


def run_import(job: Job) -> dict[str, Any]:
    """Import the job's file as its user; the outcome (counts or errors) goes on the row."""
    ledger = registry.get(job.ledger)

    def tick(done: int, total: int) -> None:
        progress.report(job, done, total)

    result = import_file(ledger, job.file.path, job.user, dry_run=job.dry_run, progress=tick)
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
        marked = BytesIO()
        if not csvfile.is_csv(job.file.path) and write_marked_copy(
            job.file.path, result.errors, marked
        ):
            job.marked_file.save(
                f"marked-{job.pk}.xlsx", ContentFile(marked.getvalue()), save=False
            )
        job.status = Job.Status.REFUSED
    else:
        job.status = Job.Status.DONE
        job.done = job.total = result.rows
    progress.store().clear(job.pk)
    return {
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "errors": len(result.errors),
    }


def export_queryset(job: Job) -> Any:
    """The records an export job writes: the list page's filters, under the user's scope."""
    ledger = registry.get(job.ledger)
    base = scope.restrict(ledger.model._default_manager.all(), job.user, "view")
    data = QueryDict(job.params.get("query", ""))
    # the filter set takes linked-record choices from the requesting user's scope
    asker = SimpleNamespace(user=job.user)
    filterset = filterset_for(ledger)(data or None, queryset=base, request=asker)
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else base
    return qs.order_by("pk")


def run_export(job: Job) -> dict[str, Any]:
    """Write the ledger's filtered records to an .xlsx file kept as the job's result."""
    ledger = registry.get(job.ledger)
    qs = export_queryset(job)
    job.total = qs.count()
    job.save(update_fields=["total"])
    folder = Path(settings.MEDIA_ROOT)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".xlsx", dir=folder) as tmp:
        viewer = personal.Viewer(
            job.user, personal.Source.EXPORT, job.params.get("path", ""), job.params.get("ip")
        )
        unmask = personal.wants_unmask(QueryDict(job.params.get("query", "")))
        rows = export_rows(ledger, qs, tmp.name, viewer=viewer, unmask=unmask)
        with open(tmp.name, "rb") as fh:
            job.result.save(f"export-{job.pk}.xlsx", File(fh), save=False)
    job.done = rows
    job.status = Job.Status.DONE
    job.summary = f"导出完成：共 {rows} 条记录。"
    return {"rows": rows}
