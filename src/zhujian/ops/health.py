"""``/healthz``: what a monitor polls. JSON, no login, nothing secret in it.

200 when every check passes, 503 otherwise:

- ``database``: a query answers;
- ``migrations``: no migration of the installed code is left unapplied;
- ``worker``: a ``zhujian worker`` heartbeat is younger than ``ZHUJIAN_WORKER_LEASE_S``
  (background jobs would wait forever without one);
- ``disk``: at least ``ZHUJIAN_HEALTH_MIN_FREE_MB`` free where uploads and the SQLite
  database live (``ZHUJIAN_VAR_DIR``);
- ``calendar``: the statutory holiday calendar lists the current year (deadlines are
  wrong without it). A missing *next* year is a ``warning`` in the answer, not a failure:
  the State Council publishes it in the autumn and staff then enter it under 参数设置.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

_migrated = False  # once everything is applied it stays so until the code changes


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def check_migrations() -> dict[str, Any]:
    global _migrated
    if _migrated:
        return {"ok": True, "unapplied": 0}
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    _migrated = not plan
    return {"ok": not plan, "unapplied": len(plan)}


def check_worker() -> dict[str, Any]:
    from zhujian.core.models import Job
    from zhujian.jobs import progress

    now = timezone.now()
    fresh = progress.fresh_workers(now)
    seen = [w.seen_at for w in progress.workers()]
    waiting = Job.objects.filter(status=Job.Status.PENDING).count()
    return {
        "ok": bool(fresh),
        "workers": len(fresh),
        "last_seen_s": round((now - max(seen)).total_seconds(), 1) if seen else None,
        "jobs_waiting": waiting,
    }


def check_disk() -> dict[str, Any]:
    usage = shutil.disk_usage(settings.VAR_DIR)
    free_mb = usage.free // (1024 * 1024)
    return {"ok": free_mb >= settings.ZHUJIAN_HEALTH_MIN_FREE_MB, "free_mb": free_mb}


def check_calendar() -> dict[str, Any]:
    from zhujian.core import deadlines

    today = timezone.localdate()
    missing = deadlines.missing_years(today)
    result: dict[str, Any] = {"ok": today.year not in missing, "missing_years": missing}
    if missing:
        result["warning"] = "、".join(f"{y}年" for y in missing) + (
            "的法定节假日安排尚未录入（系统管理 › 参数设置）"
        )
    return result


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database,
    "migrations": check_migrations,
    "worker": check_worker,
    "disk": check_disk,
    "calendar": check_calendar,
}


def health() -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except DatabaseError as exc:
            results[name] = {"ok": False, "error": type(exc).__name__}
        except OSError as exc:
            results[name] = {"ok": False, "error": type(exc).__name__}
    ok = all(r["ok"] for r in results.values())
    return {"status": "ok" if ok else "error", "checks": results}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = health()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
