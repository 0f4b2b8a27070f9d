"""Text that looks like a spreadsheet formula stays text in every workbook Zhujian writes,
and the Markdown report escapes what a record's text could smuggle in (audit item 6)."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.core.helpers import editor_for
from zhujian.core.registry import registry
from zhujian.domains.party.models import PartyActivity
from zhujian.domains.urban.demo import CODE_HUIBAO
from zhujian.domains.urban.models import MunicipalProject
from zhujian.imports.engine import BadCell, import_file
from zhujian.imports.excel import export_rows, write_error_report
from zhujian.reports import render
from zhujian.reports.build import build_report

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3"]


def assert_text_cell(cell, expected: str) -> None:
    assert cell.value == expected
    assert cell.data_type == "s", f"{expected!r} was written as {cell.data_type!r}"
    assert cell.quotePrefix, f"{expected!r} lacks Excel's quote prefix"


def test_ledger_export_keeps_formula_like_text_as_text_and_round_trips(tmp_path):
    ledger = registry.get("party_partyactivity")
    records = list(PartyActivity.objects.order_by("pk")[: len(PAYLOADS)])
    for obj, payload in zip(records, PAYLOADS, strict=True):
        PartyActivity.objects.filter(pk=obj.pk).update(note=payload, location=payload)
    qs = PartyActivity.objects.filter(pk__in=[o.pk for o in records]).order_by("pk")
    path = tmp_path / "export.xlsx"
    assert export_rows(ledger, qs, path) == len(PAYLOADS)

    ws = load_workbook(path)["数据"]
    headers = [c.value for c in ws[1]]
    for row, payload in zip(ws.iter_rows(min_row=2), PAYLOADS, strict=True):
        assert_text_cell(row[headers.index("备注")], payload)
        assert_text_cell(row[headers.index("地点")], payload)

    editor = editor_for(ledger)
    again = import_file(ledger, path, editor)
    assert again.ok, [str(e) for e in again.errors]
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(PAYLOADS))
    qs.update(note="已改", location="已改")
    restored = import_file(ledger, path, editor)
    assert restored.ok and restored.updated == len(PAYLOADS)
    assert list(qs.values_list("note", flat=True)) == PAYLOADS
    assert list(qs.values_list("location", flat=True)) == PAYLOADS


def test_ordinary_text_gets_no_quote_prefix(tmp_path):
    ledger = registry.get("party_partyactivity")
    obj = PartyActivity.objects.order_by("pk").first()
    PartyActivity.objects.filter(pk=obj.pk).update(note="普通备注 =1")
    path = tmp_path / "export.xlsx"
    export_rows(ledger, PartyActivity.objects.filter(pk=obj.pk), path)
    ws = load_workbook(path)["数据"]
    cell = ws.cell(row=2, column=[c.value for c in ws[1]].index("备注") + 1)
    assert cell.value == "普通备注 =1" and not cell.quotePrefix


def test_import_error_list_keeps_formula_like_values_as_text():
    errors = [BadCell("数据", i + 2, "参加人数", p, "应为整数") for i, p in enumerate(PAYLOADS)]
    buffer = BytesIO()
    write_error_report(errors, buffer)
    ws = load_workbook(BytesIO(buffer.getvalue()))["错误清单"]
    for row, payload in zip(ws.iter_rows(min_row=2), PAYLOADS, strict=True):
        assert_text_cell(row[3], payload)


@pytest.fixture
def road_named():
    def set_name(name: str) -> None:
        MunicipalProject.objects.filter(code=CODE_HUIBAO).update(segment_from=name)

    return set_name


def test_report_xlsx_keeps_a_formula_like_record_name_as_text(road_named):
    payload = PAYLOADS[0]
    road_named(payload)
    report = build_report("2022H1", body="起点：{{ municipal.huibao_from }}")
    ws = load_workbook(BytesIO(render.to_xlsx(report)))["指标"]
    at = [r.id for r in report.rows].index("municipal.huibao_from")
    row = list(ws.iter_rows(min_row=4))[at]
    assert_text_cell(row[3], payload)  # 本期值
    assert_text_cell(row[6], payload)  # 报告中的写法


def test_markdown_report_escapes_html_and_markup_in_a_record_name(road_named):
    road_named("<script>alert(1)</script>*粗*[链接](http://x)")
    report = build_report("2022H1", body="起点：{{ municipal.huibao_from }}")
    md = render.to_md(report).decode("utf-8")
    assert "<script>" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert r"\*粗\*\[链接\](http://x)" in md
    assert md.splitlines()[2].startswith("起点：**")
