"""Issue 28: the PostgreSQL import wrote each batch from a thread of its own (150 threads
for one import). One writer thread now serves every batch of the connection's imports."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.imports.helpers import write_rows
from tests.imports.test_hardening import HOUSEHOLDS, a_village, household_row
from zhujian.domains.rural.models import ToiletHousehold
from zhujian.imports import bulk, engine
from zhujian.imports.engine import import_file

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the overlapped write is PostgreSQL's"
    ),
]


def test_one_writer_thread_serves_every_batch_of_an_import(tmp_path, town_a, monkeypatch):
    monkeypatch.setattr(engine, "BATCH_SIZE", 50)
    writers: list[threading.Thread] = []
    started: list[str] = []
    copy_rows, start = bulk._copy_rows, threading.Thread.start

    def counting_copy(*args, **kwargs):
        writers.append(threading.current_thread())
        return copy_rows(*args, **kwargs)

    def counting_start(self):
        started.append(self.name)
        return start(self)

    monkeypatch.setattr(bulk, "_copy_rows", counting_copy)
    monkeypatch.setattr(threading.Thread, "start", counting_start)
    village = a_village(town_a.org_unit)
    for name in ("first", "second"):  # two imports on the same connection
        rows = [household_row(village, f"PGW-{name}-{i}") for i in range(320)]
        result = import_file(
            HOUSEHOLDS, write_rows(tmp_path / f"{name}.xlsx", HOUSEHOLDS, rows), town_a
        )
        assert result.ok and result.created == 320, [str(e) for e in result.errors]
    assert ToiletHousehold.objects.filter(household_code__startswith="PGW-").count() == 640
    assert len(writers) >= 12  # every batch of both imports went through the writer
    assert len(set(writers)) == 1 and writers[0] is not threading.current_thread()
    assert len([n for n in started if n.startswith("zhujian-pg-write")]) <= 1
