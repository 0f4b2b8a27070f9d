"""Adapter 1 against the fake 全国建筑工人管理服务信息平台 on 127.0.0.1: a full send of the
demo county, a refusal in the 待办, an outage and dropped replies, an update after
success, a sender killed between sending and recording."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from zhujian.core.models import Role, User
from zhujian.domains.wages.exchange import TARGET
from zhujian.domains.wages.models import Attendance, PaySheet, Worker
from zhujian.exchange import engine
from zhujian.exchange.models import Message, Outbox, Upload
from zhujian.web import workbench

pytestmark = pytest.mark.django_db


def _settle(max_runs: int = 12, shift_s: float = 0.0) -> None:
    """Run the sender until nothing is in flight (each run as if ``shift_s`` later)."""
    offset = [dt.timedelta(0)]
    for _ in range(max_runs):
        offset[0] += dt.timedelta(seconds=shift_s)
        engine.run(TARGET, max_seconds=120, now=lambda: timezone.now() + offset[0])
        if not Outbox.objects.filter(target=TARGET, state__in=engine.ACTIVE).exists():
            return
    raise AssertionError("the queue did not settle")


def _uploads(model) -> Upload:
    return Upload.objects.filter(
        target=TARGET, content_type=ContentType.objects.get_for_model(model)
    )


def test_full_send_of_the_demo_county(workers_platform) -> None:
    fake = workers_platform
    engine.run(TARGET, max_seconds=300)
    uploads = Upload.objects.filter(target=TARGET)
    assert uploads.count() > 1000
    assert not uploads.exclude(state=Upload.State.OK).exists(), list(
        uploads.exclude(state=Upload.State.OK).values_list("kind", "reason")[:5]
    )
    workers = Worker.objects.filter(project__realname_on__isnull=False)
    attendance = Attendance.objects.filter(worker__project__realname_on__isnull=False)
    sheets = PaySheet.objects.filter(project__realname_on__isnull=False)
    assert len(fake.workers) == workers.count()
    assert len(fake.attendance) == attendance.count()
    assert len(fake.payroll) == sheets.count()
    assert fake.duplicates() == []
    # every team got the platform's number, kept beside our key and used by its workers
    teams = uploads.filter(kind__in=["Team", "ContractorTeam"])
    assert teams.exists() and not teams.filter(upstream_id="").exists()
    numbers = {int(n) for n in teams.values_list("upstream_id", flat=True)}
    assert {w["teamSysNo"] for w in fake.workers.values()} <= numbers
    # messages are kept, with no ID number, card number or name in plain text
    worker = workers.first()
    kept = " ".join(str(m.request) for m in Message.objects.filter(method="ProjectWorker.Add"))
    assert worker.id_number not in kept and worker.name not in kept
    assert "idCardNumber" in kept


def test_a_refusal_reaches_the_responsible_units_todo(
    workers_platform, one_project, client
) -> None:
    worker = Worker.objects.filter(project=one_project).order_by("pk").first()
    Worker.objects.filter(pk=worker.pk).update(name="张三3")  # a name the platform refuses
    _settle()
    upload = _uploads(Worker).get(object_id=worker.pk)
    assert upload.state == Upload.State.FAILED
    assert "“姓名” 格式不正确" in upload.reason and "workerName" not in upload.reason
    assert "workerName" in upload.outbox.get(version=1).reason  # the reply as it came
    others = _uploads(Worker).exclude(pk=upload.pk)
    assert others.exists() and not others.exclude(state=Upload.State.OK).exists()

    dept = next(u for u in User.objects.filter(role=Role.DEPARTMENT) if "wages" in u.business_lines)
    items = [i for i in workbench.pending(dept) if i.obj == upload]
    assert len(items) == 1 and "平台反馈" in items[0].next_action
    assert "格式不正确" in items[0].next_action
    assert workbench.counts(dept)["pending"] >= 1
    township = worker.org_unit.township()
    stranger = User.objects.filter(role=Role.TOWNSHIP).exclude(org_unit=township).first()
    assert not [i for i in workbench.pending(stranger) if i.obj == upload]
    client.force_login(stranger)
    assert client.get(f"/exchange/{upload.pk}/").status_code == 404
    assert client.post(f"/exchange/{upload.pk}/retry").status_code == 404

    client.force_login(dept)
    page = client.get("/exchange/?state=failed")
    assert page.status_code == 200 and "格式不正确" in page.content.decode()
    # corrected and retried: it goes out and the item leaves the 待办
    Worker.objects.filter(pk=worker.pk).update(name="张三", updated_at=timezone.now())
    assert client.post(f"/exchange/{upload.pk}/retry").status_code == 302
    _settle()
    upload.refresh_from_db()
    assert upload.state == Upload.State.OK
    assert not [i for i in workbench.pending(dept) if i.obj == upload]
    assert workers_platform.duplicates() == []


def test_retry_after_an_outage_sends_nothing_twice(workers_platform, one_project) -> None:
    fake = workers_platform
    fake.stop()  # the platform is down: connections are refused
    stats = engine.run(TARGET, max_seconds=60)
    assert stats.retried > 0 and stats.done == 0
    assert Outbox.objects.filter(target=TARGET, state=Outbox.State.QUEUED, attempts=1).exists()
    fake.start()  # back, but failing now and then, and dropping some replies
    fake.fail_rate, fake.drop_rate = 0.15, 0.15
    _settle(max_runs=40, shift_s=3600)
    assert not Upload.objects.filter(target=TARGET).exclude(state=Upload.State.OK).exists()
    assert fake.duplicates() == []
    workers = Worker.objects.filter(project=one_project).count()
    assert len(fake.workers) == workers
    days = Attendance.objects.filter(worker__project=one_project).count()
    assert len(fake.attendance) == days
    stored = sum(n for (m, _k), n in fake.writes.items() if m == "WorkerAttendance.Add")
    assert stored == days  # every attendance row stored once, none twice


def test_a_change_after_success_goes_out_as_an_update(workers_platform, one_project) -> None:
    fake = workers_platform
    _settle()
    adds = fake.methods["ProjectWorker.Add"]
    worker = Worker.objects.filter(project=one_project).order_by("pk").first()
    worker.bank_name = "中国农业银行"
    worker.save()
    _settle()
    assert fake.methods["ProjectWorker.Add"] == adds
    assert fake.methods["ProjectWorker.Update"] == 1
    upload = _uploads(Worker).get(object_id=worker.pk)
    assert upload.state == Upload.State.OK and upload.version == 2
    assert list(upload.outbox.order_by("version").values_list("action", flat=True)) == [
        "add",
        "update",
    ]
    stored = next(w for (p, _n), w in fake.workers.items() if w["workerName"] == worker.name)
    assert stored["payRollBankName"] == "中国农业银行"
    # a second run with nothing changed sends nothing
    requests = fake.requests
    engine.run(TARGET, max_seconds=30)
    assert fake.requests == requests


class Killed(BaseException):
    """The sender dies (as by SIGKILL): nothing after this point runs."""


def test_a_sender_killed_mid_send_loses_and_duplicates_nothing(
    workers_platform, one_project
) -> None:
    fake = workers_platform
    calls = {"n": 0}

    def die(kind: str) -> None:
        calls["n"] += 1
        if kind in ("ProjectWorker", "WorkerAttendance", "Team") and calls["n"] % 3 == 0:
            raise Killed  # the platform has the request; we never recorded its reply

    engine.crash_hook = die
    deaths = 0
    offset = [dt.timedelta(0)]
    try:
        for _ in range(60):
            offset[0] += dt.timedelta(hours=1)  # the dead sender's lease has run out
            try:
                engine.run(TARGET, max_seconds=60, now=lambda: timezone.now() + offset[0])
            except Killed:
                deaths += 1
                continue
            if not Outbox.objects.filter(target=TARGET, state__in=engine.ACTIVE).exists():
                break
    finally:
        engine.crash_hook = None
    assert deaths >= 3
    assert not Upload.objects.filter(target=TARGET).exclude(state=Upload.State.OK).exists()
    assert fake.duplicates() == []
    assert len(fake.workers) == Worker.objects.filter(project=one_project).count()
    assert len(fake.attendance) == Attendance.objects.filter(worker__project=one_project).count()
    assert Outbox.objects.filter(reason__contains="经平台查询确认已收到").exists()
