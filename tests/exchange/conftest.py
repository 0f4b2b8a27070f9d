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


@pytest.fixture
def one_project(db) -> ConstructionProject:
    """Only one real-name project stays under supervision (its workers, attendance, pay):
    the tests that need several runs stay short. The one with most pay sheets."""
    from django.db.models import Count

    chosen = (
        ConstructionProject.objects.filter(realname_on__isnull=False)
        .annotate(n=Count("pay_sheets"))
        .order_by("-n", "pk")
        .first()
    )
    ConstructionProject.objects.exclude(pk=chosen.pk).update(realname_on=None)
    return chosen


@pytest.fixture
def province(db, settings) -> Iterator:
    """The fake provincial platform, with the county's credential."""
    from zhujian.domains.construction.exchange import TARGET as PROVINCE
    from zhujian.exchange.fakes.tb_tables import FakeProvince

    settings.ZHUJIAN_CONSTRUCTION_PROVINCE_PLATFORM_RATE = 0
    county = ConstructionProject.objects.first().org_unit.code[:6]
    fake = FakeProvince(county, "province-secret-for-tests", seed=5)
    fake.start()
    Credential.objects.create(
        target=PROVINCE, base_url=fake.url, user=county, secret="province-secret-for-tests"
    )
    try:
        yield fake
    finally:
        fake.stop()
