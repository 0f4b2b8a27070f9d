"""Fixtures of the exchange tests: the fake platforms on 127.0.0.1 and their keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from zhujian.domains.construction.models import ConstructionProject
from zhujian.domains.wages.exchange import TARGET, WorkersPlatform
from zhujian.exchange.adapters import adapters
from zhujian.exchange.fakes.workers_platform import FakeWorkersPlatform
from zhujian.exchange.models import Credential


def project_secret(project: ConstructionProject) -> str:
    return f"{project.pk:04d}zhujian-test-secret-0123"[:32].ljust(32, "x")


@pytest.fixture
def workers_platform(db, settings) -> Iterator[FakeWorkersPlatform]:
    """The fake platform, each real-name project registered with an appid and secret."""
    settings.ZHUJIAN_WAGES_WORKERS_PLATFORM_RATE = 0
    adapter: WorkersPlatform = adapters.get(TARGET)  # type: ignore[assignment]
    saved = adapter.poll_s
    adapter.poll_s = 0.01
    fake = FakeWorkersPlatform(seed=3)
    fake.start()
    for project in ConstructionProject.objects.filter(realname_on__isnull=False):
        appid = f"{project.org_unit.code[:6]}{project.pk:08d}"
        fake.secrets[appid] = project_secret(project)
        Credential.objects.create(
            target=TARGET,
            key=project.code,
            base_url=fake.url,
            appid=appid,
            secret=project_secret(project),
        )
    try:
        yield fake
    finally:
        fake.stop()
        adapter.poll_s = saved
