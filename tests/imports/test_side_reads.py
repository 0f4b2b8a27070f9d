"""On PostgreSQL an import's look-ups run on a second connection, beside its own writes
(``zhujian.imports.reads``). They must find exactly what the import's own connection
would: existing records, their values, and which of them the user may change; and
they must stay on the one connection where a second one would miss rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
from django.db import connection, connections

from tests.imports.helpers import exported
from zhujian.core.models import OrgUnit, User
from zhujian.core.registry import registry
from zhujian.domains.rural.models import ToiletHousehold
from zhujian.imports import engine, reads
from zhujian.imports.engine import import_file

pytestmark = pytest.mark.django_db

LEDGER = "rural_toilethousehold"
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the second connection is PostgreSQL's"
)


def _households_of(user: User) -> list[ToiletHousehold]:
    return list(
        ToiletHousehold.objects.filter(org_unit__path__startswith=user.org_unit.path).order_by(
            "pk"
        )[:2]
    )


def _village(user: User) -> OrgUnit:
    return OrgUnit.objects.villages().filter(path__startswith=user.org_unit.path).first()


def _file(tmp_path: Path, records: list[ToiletHousehold], edits: dict, new: list[dict]) -> Path:
    """An export of ``records`` (as staff would download it), with ``edits`` by (record
    index, header) and ``new`` rows by header appended."""
    path = exported(
        tmp_path / "households.xlsx",
        LEDGER,
        ToiletHousehold.objects.filter(pk__in=[r.pk for r in records]).order_by("pk"),
    )
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    for (index, header), value in edits.items():
        ws.cell(row=index + 2, column=headers.index(header) + 1, value=value)
    for row in new:
        ws.append([row.get(h) for h in headers])
    wb.save(path)
    return path


def _new_row(unit: OrgUnit, number: str) -> dict:
    return {
        "所属单位": unit.code,
        "户编号": number,
        "户主姓名": "新排查户",
        "排查日期": "2022-04-01",
        "已改厕": "是",
        "厕所类型": "三格化粪池式",
    }


@pytest.fixture
def side_statements(monkeypatch) -> Iterator[list[str]]:
    """Make every import look up on a real second connection, even inside the test's
    transaction (the demo county it reads was committed when the session began), and
    collect the statements that connection ran."""
    ran: list[str] = []

    def count(execute, sql, params, many, context):
        ran.append(sql)
        return execute(sql, params, many, context)

    @contextmanager
    def beside(_model) -> Iterator[object]:
        side = connections.create_connection(connection.alias)
        side.execute_wrappers.append(count)
        looking = reads.Side(side)
        try:
            yield looking
        finally:
            looking.close()

    monkeypatch.setattr(reads, "beside", beside)
    monkeypatch.setattr(engine, "BATCH_SIZE", 2)  # several batches: writes overlap look-ups
    yield ran


def test_no_second_connection_inside_a_callers_transaction() -> None:
    """The test runs in a transaction, as the demo build's imports do: a second
    connection would not see what that transaction wrote."""
    with reads.beside(ToiletHousehold) as side:
        assert side is None


def test_an_import_inside_a_callers_transaction_finds_the_rows_it_wrote(
    tmp_path: Path, town_a: User
) -> None:
    """A record written earlier in the same, uncommitted transaction is found and
    updated, not taken for new (which would be a uniqueness conflict)."""
    village = _village(town_a)
    earlier = ToiletHousehold.objects.create(
        org_unit=village,
        household_code="SIDE-0001",
        head_name="未提交户",
        surveyed_on="2022-03-01",
        renovated=True,
        toilet_type="three_tank",
    )
    path = _file(tmp_path, [earlier], {(0, "户主姓名"): "改过名"}, [_new_row(village, "SIDE-0002")])
    result = import_file(registry.get(LEDGER), path, town_a)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    earlier.refresh_from_db()
    assert earlier.head_name == "改过名"


@postgresql_only
def test_look_ups_beside_the_writes_give_the_same_import(
    tmp_path: Path, town_a: User, side_statements: list[str]
) -> None:
    """New, changed and unchanged records, over several batches, with the masked
    identity numbers of an export restored from the records read on the side."""
    changed, unchanged = _households_of(town_a)
    village = _village(town_a)
    new = [_new_row(village, f"SIDE-1{n:03}") for n in range(5)]
    path = _file(tmp_path, [changed, unchanged], {(0, "户主姓名"): "换了户主"}, new)
    result = import_file(registry.get(LEDGER), path, town_a)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated, result.unchanged) == (5, 1, 1)
    assert len([s for s in side_statements if "SELECT" in s]) >= 4  # one per batch at least
    changed_after = ToiletHousehold.objects.get(pk=changed.pk)
    assert changed_after.head_name == "换了户主"
    assert changed_after.id_number == changed.id_number  # the mask kept the real number
    assert ToiletHousehold.objects.get(pk=unchanged.pk).head_name == unchanged.head_name
    created = ToiletHousehold.objects.filter(household_code__startswith="SIDE-1")
    assert created.count() == 5
    assert (
        ToiletHousehold.history.filter(id__in=created.values("pk"), history_type="+").count() == 5
    )
    assert ToiletHousehold.history.filter(id=changed.pk, history_type="~").exists()


@postgresql_only
def test_a_record_of_another_township_read_beside_is_never_changed(
    tmp_path: Path, town_a: User, town_b: User, side_statements: list[str]
) -> None:
    """Its code, typed by town_a under a unit of its own, is as free as an unused one
    (codes are unique per township, core.codes): the row makes town_a's own household,
    and the other township's record is read beside and left as it was."""
    (foreign, _other) = _households_of(town_b)
    before = ToiletHousehold.objects.count()
    path = _file(tmp_path, [foreign], {(0, "户主姓名"): "越权修改"}, [])
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=headers.index("所属单位") + 1, value=_village(town_a).code)
    wb.save(path)
    result = import_file(registry.get(LEDGER), path, town_a)
    assert result.ok and (result.created, result.updated) == (1, 0), result.errors
    assert side_statements, "the look-up ran on the second connection"
    assert ToiletHousehold.objects.count() == before + 1
    assert ToiletHousehold.objects.get(pk=foreign.pk).head_name == foreign.head_name
    mine = ToiletHousehold.objects.get(
        household_code=foreign.household_code, township=town_a.org_unit
    )
    assert mine.head_name == "越权修改"
