"""Adapter 1 against the fake 全国建筑工人管理服务信息平台 on 127.0.0.1."""

from __future__ import annotations

import pytest

from zhujian.domains.wages.exchange import TARGET
from zhujian.domains.wages.models import Attendance, PaySheet, Worker
from zhujian.exchange import engine
from zhujian.exchange.models import Outbox, Upload

pytestmark = pytest.mark.django_db


def test_full_send_of_the_demo_county(workers_platform) -> None:
    fake = workers_platform
    stats = engine.run(TARGET, max_seconds=300)
    states = dict(
        Upload.objects.filter(target=TARGET).values_list("state").annotate_count()
    ) if False else {}
    ok = Upload.objects.filter(target=TARGET, state=Upload.State.OK).count()
    total = Upload.objects.filter(target=TARGET).count()
    failed = list(Upload.objects.filter(target=TARGET, state=Upload.State.FAILED).values_list("kind", "reason")[:20])
    print(stats.as_dict(), ok, total, failed, fake.methods)
    assert total > 0
    assert not Outbox.objects.filter(target=TARGET, state__in=engine.ACTIVE).exists()
    assert fake.duplicates() == []
    workers = Worker.objects.filter(project__realname_on__isnull=False).count()
    assert len(fake.workers) == workers - sum(1 for k, _ in failed if k == "ProjectWorker")
