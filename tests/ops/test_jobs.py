"""Background jobs in the test process (Django's immediate backend): large exports and
report files as jobs, ownership of their results, progress read through the store, the
reaper, and the health endpoint."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from zhujian.core.models import Job
from zhujian.core.registry import registry
from zhujian.jobs import progress
from zhujian.jobs.tasks import run_job
from zhujian.jobs.worker import REAPED_MESSAGE, Worker

pytestmark = pytest.mark.django_db

LEDGER = "rural_toilethousehold"


def _dead_pid() -> int:
    """A process id that no process has now."""
    pid = 4_000_000
    while progress.pid_alive(pid):
        pid -= 1
    return pid


def test_large_export_runs_as_a_job_and_only_its_owner_downloads_it(client, town_a, user, settings):
    settings.ZHUJIAN_EXPORT_INLINE_ROWS = 0
    client.force_login(town_a)
    response = client.get(reverse("web:ledger_export", args=[LEDGER]))
    assert response.status_code == 302
    job = Job.objects.get(kind=Job.Kind.EXPORT, user=town_a)
    # The job page, told to download the file as soon as it is ready (no second click).
    assert response["Location"] == reverse("web:job", args=[job.pk]) + "?auto=1"
    assert job.status == Job.Status.DONE and job.result
    page = client.get(response["Location"]).content.decode()
    assert "导出完成" in page and reverse("web:job_result", args=[job.pk]) in page
    download = client.get(reverse("web:job_result", args=[job.pk]))
    rows = list(
        load_workbook(BytesIO(b"".join(download.streaming_content)), read_only=True)["数据"].values
    )
    model = registry.get(LEDGER).model
    inside = model.objects.filter(org_unit__path__startswith=town_a.org_unit.path).count()
    assert len(rows) - 1 == inside < model.objects.count()  # the job ran in the user's scope
    client.force_login(user("town04"))
    assert client.get(reverse("web:job_result", args=[job.pk])).status_code == 404
    assert client.get(reverse("web:job", args=[job.pk])).status_code == 404


def test_small_export_is_still_streamed_at_once(client, town_a):
    client.force_login(town_a)
    response = client.get(reverse("web:ledger_export", args=["party_partyactivity"]))
    assert response.status_code == 200 and not Job.objects.filter(kind=Job.Kind.EXPORT).exists()


def test_report_file_job_uses_the_users_scope(client, town_a, town_b):
    client.force_login(town_a)
    response = client.post(reverse("web:report_download") + "?period=2022H1", {"format": "xlsx"})
    job = Job.objects.get(kind=Job.Kind.REPORT, user=town_a)
    # The job page, told to download the file as soon as it is ready (no second click).
    assert response["Location"] == reverse("web:job", args=[job.pk]) + "?auto=1"
    assert job.status == Job.Status.DONE
    assert job.params["unit"] == town_a.org_unit.code  # a township user's report is its own
    sheet = load_workbook(job.result.path)["指标"]
    assert town_a.org_unit.name in sheet["C2"].value
    other = client.post(
        reverse("web:report_download") + f"?period=2022H1&unit={town_b.org_unit.code}",
        {"format": "txt"},
    )
    assert other.status_code == 404  # a unit outside the user's scope


def test_job_list_shows_the_users_jobs_only(client, town_a, town_b, settings):
    settings.ZHUJIAN_EXPORT_INLINE_ROWS = 0
    client.force_login(town_a)
    client.get(reverse("web:ledger_export", args=[LEDGER]))
    assert "导出" in client.get(reverse("web:jobs")).content.decode()
    client.force_login(town_b)
    assert "还没有任务" in client.get(reverse("web:jobs")).content.decode()


def test_progress_of_a_running_job_is_read_from_the_store(client, admin_user):
    job = Job.objects.create(
        kind=Job.Kind.IMPORT,
        ledger=LEDGER,
        user=admin_user,
        filename="普查.xlsx",
        status=Job.Status.RUNNING,
        task_id="4d7f0a52-0000-4000-8000-000000000001",
    )
    progress.store().set_progress(job.pk, job.task_id, 150_000, 300_000)
    client.force_login(admin_user)
    partial = client.get(reverse("web:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert "150000/300000 行" in text and 'value="50"' in text and "hx-trigger" in text


def test_a_job_waiting_without_a_worker_says_so(client, admin_user):
    job = Job.objects.create(kind=Job.Kind.REPORT, user=admin_user, filename="报告.docx")
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(admin_user)
    page = client.get(reverse("web:job", args=[job.pk])).content.decode()
    assert "排队中" in page and "后台任务服务（zhujian worker）目前没有运行" in page


def test_a_failing_job_is_marked_failed_with_a_message(admin_user):
    job = Job.objects.create(
        kind=Job.Kind.EXPORT, ledger="no_such_ledger", user=admin_user, filename="x.xlsx"
    )
    result = run_job.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and result.status == "FAILED"
    assert job.summary == "处理时发生系统错误，未生成文件。请联系系统管理员。"


def test_a_finished_job_is_never_run_again(admin_user):
    job = Job.objects.create(
        kind=Job.Kind.REPORT, user=admin_user, filename="r", status=Job.Status.FAILED
    )
    assert run_job.call(job.pk)["skipped"] is True


def _running(user, worker: str, task: bool = True) -> Job:
    job = Job.objects.create(
        kind=Job.Kind.IMPORT,
        ledger=LEDGER,
        user=user,
        filename="f.xlsx",
        status=Job.Status.RUNNING,
        worker=worker,
    )
    if task:
        row = DBTaskResult.objects.create(
            args_kwargs={"args": [job.pk], "kwargs": {}},
            task_path=run_job.module_path,
            backend_name="default",
            status="RUNNING",
            worker_ids=[worker],
        )
        job.task_id = str(row.id)
        job.save()
    return job


def test_reaper_fails_jobs_whose_worker_is_gone_and_spares_live_ones(admin_user):
    host = socket.gethostname()
    now = timezone.now()
    stale = progress.WorkerInfo("stale", "other-host", 12, now, now - dt.timedelta(minutes=5))
    fresh = progress.WorkerInfo("fresh", "other-host", 13, now, now)
    for info in (stale, fresh):
        progress.store().beat(info)
    dead_here = _running(admin_user, f"{host}:{_dead_pid()}:rebooted")
    stale_there = _running(admin_user, stale.label)
    fresh_there = _running(admin_user, fresh.label)
    alive_here = _running(admin_user, f"{host}:{os.getpid()}:alive", task=False)
    progress.store().beat(
        progress.WorkerInfo("alive", host, os.getpid(), now, now)
    )  # this process stands for a live worker on this host

    assert Worker(worker_id="reaper").reap() == 2
    for job in (dead_here, stale_there):
        job.refresh_from_db()
        assert job.status == Job.Status.FAILED
        assert job.summary == REAPED_MESSAGE.format(kept="数据未写入。")
        assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"
    for job in (fresh_there, alive_here):
        job.refresh_from_db()
        assert job.status == Job.Status.RUNNING
    assert {w.worker_id for w in progress.workers()} >= {"fresh", "alive"}
    assert "stale" not in {w.worker_id for w in progress.workers()}
    for worker_id in ("fresh", "alive", "reaper"):
        progress.store().forget(worker_id)


def test_healthz_reports_each_check_without_secrets(client, settings):
    response = client.get("/healthz")
    body = response.json()
    assert set(body["checks"]) == {"database", "migrations", "worker", "disk", "calendar"}
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert not body["checks"]["worker"]["ok"] and response.status_code == 503
    now = timezone.now()
    info = progress.WorkerInfo("healthy", socket.gethostname(), os.getpid(), now, now)
    progress.store().beat(info)
    try:
        response = client.get("/healthz")
        assert response.status_code == 200 and response.json()["status"] == "ok"
        assert response["Cache-Control"].startswith("max-age=0")
        text = json.dumps(response.json())
        for secret in (settings.SECRET_KEY, socket.gethostname(), str(settings.VAR_DIR)):
            assert secret not in text
        settings.ZHUJIAN_HEALTH_MIN_FREE_MB = 10**12
        response = client.get("/healthz")
        assert response.status_code == 503 and not response.json()["checks"]["disk"]["ok"]
    finally:
        progress.store().forget("healthy")
