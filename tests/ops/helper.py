"""Steps the ops tests run in a separate process against a scratch database.

    python -m tests.ops.helper <command> [args…]     (DATABASE_URL, ZHUJIAN_VAR_DIR set)

Each command prints one line of JSON. They run in their own process because Django
picks its database when its settings are imported, and the scratch database (a real
SQLite file, or a PostgreSQL database of its own) is not the test database.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhujian.settings")
    import django

    django.setup()


def fingerprint() -> dict[str, Any]:
    """The 2022H1 report's figures, and every history table's row count and checksum."""
    from django.db import connection
    from simple_history.models import registered_models

    from zhujian.core.registry import registry
    from zhujian.reports.build import build_report

    report = build_report("2022H1")
    figures = {fid: str(fv.value) for fid, fv in sorted(report.values.items())}
    history: dict[str, Any] = {}
    tracked = {m._meta.label: m for m in registered_models.values()}
    for label, model in sorted(tracked.items()):
        hmodel = model.history.model
        columns = [f.column for f in hmodel._meta.concrete_fields]
        digest = hashlib.sha256()
        count = 0
        with connection.cursor() as cursor:
            qn = connection.ops.quote_name
            cursor.execute(
                f"SELECT {', '.join(qn(c) for c in columns)} FROM {qn(hmodel._meta.db_table)} "
                f"ORDER BY {qn(hmodel._meta.pk.column)}"
            )
            for row in cursor.fetchall():
                digest.update(repr([_canonical(v) for v in row]).encode())
                count += 1
        history[label] = [count, digest.hexdigest()]
    ledgers = {lg.name: lg.model._default_manager.count() for lg in registry}
    return {"figures": figures, "history": history, "ledgers": ledgers}


def _canonical(value: Any) -> Any:
    """One form per value whatever the driver returns (dates, decimals, JSON text)."""
    import datetime as dt
    from decimal import Decimal

    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return str(Decimal(str(value)).normalize())
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return value


def write_survey(path: str, rows: str) -> dict[str, Any]:
    """A household toilet survey of ``rows`` households, from the import template."""
    from bench.import_toilet_survey import write_file

    write_file(Path(path), int(rows))
    return {"rows": int(rows)}


def clear_survey() -> dict[str, Any]:
    """Empty the household toilet survey, so that a survey file only adds households."""
    from zhujian.domains.rural.models import ToiletHousehold

    ToiletHousehold.objects.all().delete()
    ToiletHousehold.history.model.objects.all().delete()
    return counts("rural_toilethousehold")


def submit(kind: str, username: str, arg: str = "", ledger: str = "") -> dict[str, Any]:
    """Create and enqueue a job as a web view would; ``arg``: the file to import, or the
    report's format."""
    from django.core.files import File

    from zhujian.core.models import Job, User
    from zhujian.jobs.tasks import submit as enqueue

    user = User.objects.get(username=username)
    job = Job(kind=kind, user=user, ledger=ledger, filename=Path(arg).name or kind)
    if kind == Job.Kind.IMPORT:
        with open(arg, "rb") as fh:
            job.file.save(Path(arg).name, File(fh), save=False)
    elif kind == Job.Kind.REPORT:
        job.params = {"period": "2022H1", "unit": None, "template": None, "format": arg}
        job.result_name = f"report.{arg}"
    job.save()
    enqueue(job)
    return {"job": job.pk, "task": job.task_id}


def job(pk: str) -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    from zhujian.core.models import Job

    row = Job.objects.get(pk=pk)
    task = DBTaskResult.objects.filter(id=row.task_id).first()
    return {
        "status": row.status,
        "summary": row.summary,
        "done": row.done,
        "total": row.total,
        "worker": row.worker,
        "result": row.result.name,
        "task_status": task.status if task else None,
        "task_error": task.traceback if task else None,
    }


def counts(ledger: str) -> dict[str, Any]:
    from zhujian.core.registry import registry

    model = registry.get(ledger).model
    return {"records": model._default_manager.count(), "history": model.history.count()}


def health() -> dict[str, Any]:
    from zhujian.ops.health import health as report

    return report()


COMMANDS = {
    "health": health,
    "fingerprint": fingerprint,
    "write-survey": write_survey,
    "clear-survey": clear_survey,
    "submit": submit,
    "job": job,
    "counts": counts,
}


def main(argv: list[str]) -> None:
    setup()
    print(json.dumps(COMMANDS[argv[0]](*argv[1:]), ensure_ascii=False, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
