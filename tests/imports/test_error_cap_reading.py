"""Third security audit (docs/decisions/audit-3.md): the error cap on unparseable rows
stopped the checks but not the reading — an .xlsx of a million bad rows was read whole
(60 s, 775 MB) before the import stopped. The rows the reader gives are counted here:
an import that reaches the cap reads no further, and the whole file is never loaded.

The cap and the head the import reads first are lowered (``MAX_ERRORS``, ``HEAD_ROWS``)
so that small files show what a million rows would."""

from __future__ import annotations

import re

import pytest

from tests.imports.helpers import rewrite_sheet, write_rows
from tests.imports.test_hardening import HOUSEHOLDS, a_village, household_row
from zhujian.domains.rural.models import ToiletHousehold
from zhujian.imports import csvfile, engine
from zhujian.imports.engine import import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(monkeypatch):
    """Every sheet the import loads (path, height) and every row it pulls from it."""
    loads: list[tuple[str, int]] = []
    pulled: list[int] = []
    real = engine.read_sheet

    def read_sheet(path, name=engine.DATA_SHEET):
        sheet, rows, height, first = real(path, name)
        loads.append((str(path), height))

        def counting():
            for row in rows:
                pulled.append(row[0])
                yield row

        return sheet, counting(), height, first

    monkeypatch.setattr(engine, "read_sheet", read_sheet)
    return loads, pulled


def _bad_rows(village, n: int) -> list[dict]:
    return [household_row(village, f"CAP-{i}", 排查日期="不是日期") for i in range(n)]


def test_an_xlsx_of_bad_rows_is_not_read_past_the_error_cap(tmp_path, town_a, monkeypatch, counted):
    monkeypatch.setattr(engine, "MAX_ERRORS", 50)
    monkeypatch.setattr(engine, "HEAD_ROWS", 200, raising=False)
    loads, pulled = counted
    village = a_village(town_a.org_unit)
    path = write_rows(tmp_path / "bad.xlsx", HOUSEHOLDS, _bad_rows(village, 3000))
    result = import_file(HOUSEHOLDS, path, town_a)
    assert len(result.errors) == 50 and result.stopped_at_row == 51
    assert "停止检查" in result.summary()
    assert [p for p, _ in loads] != [str(path)]  # the file itself was never loaded whole
    assert max(height for _, height in loads) <= 200
    assert len(pulled) == 51  # the header and the 50 bad rows: not one row more


def test_rows_past_the_head_are_read_and_checked_once_each(tmp_path, town_a, monkeypatch, counted):
    monkeypatch.setattr(engine, "HEAD_ROWS", 40)
    loads, pulled = counted
    village = a_village(town_a.org_unit)
    rows = [household_row(village, f"HEAD-{i}") for i in range(120)]
    rows[99]["排查日期"] = "不是日期"  # row 101 of the sheet: past the head
    path = write_rows(tmp_path / "long.xlsx", HOUSEHOLDS, rows)
    path = rewrite_sheet(  # an Excel error value past the head: row 111, column B (户编号)
        path,
        tmp_path / "long-ref.xlsx",
        lambda xml: re.sub(r'<c r="B111"[^>]*>.*?</c>', '<c r="B111" t="e"><v>#REF!</v></c>', xml),
    )
    result = import_file(HOUSEHOLDS, path, town_a, dry_run=True)
    assert sorted((e.row, e.column) for e in result.errors) == [(101, "排查日期"), (111, "户编号")]
    assert "#REF!" in str(next(e for e in result.errors if e.row == 111))
    assert len(loads) == 2  # the head copy, then the whole file when the import got past it
    # the head's rows, then the whole sheet (its first rows skipped, not checked again)
    assert pulled == list(range(1, 41)) + list(range(1, 122))

    good = write_rows(
        tmp_path / "good.xlsx", HOUSEHOLDS, [household_row(village, f"OK-{i}") for i in range(120)]
    )
    result = import_file(HOUSEHOLDS, good, town_a)
    assert result.ok and result.created == 120, [str(e) for e in result.errors]
    assert ToiletHousehold.objects.filter(household_code__startswith="OK-").count() == 120


def test_a_csv_of_bad_rows_is_not_read_past_the_error_cap(tmp_path, town_a, monkeypatch):
    monkeypatch.setattr(engine, "MAX_ERRORS", 50)
    pulled: list[int] = []
    real = csvfile._rows

    def rows(*args):
        for row in real(*args):
            pulled.append(row[0])
            yield row

    monkeypatch.setattr(csvfile, "_rows", rows)
    village = a_village(town_a.org_unit)
    headers = [c.header for c in engine.build_columns(HOUSEHOLDS)]
    lines = [",".join(headers)]
    for row in _bad_rows(village, 3000):
        lines.append(",".join(str(row.get(h, "")) for h in headers))
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_file(HOUSEHOLDS, path, town_a)
    assert len(result.errors) == 50 and result.stopped_at_row == 51
    assert len(pulled) == 51
