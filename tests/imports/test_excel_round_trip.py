"""Excel that survives Microsoft Excel and WPS (issue 23): every template and export the
project writes keeps code, ID, phone and card columns as text (format ``@``), a 16-digit
code comes back from the file unchanged, the 所属单位 drop-down offers names with the code
alongside, errors name columns and choices as the clerk wrote them, a refused file comes
back with its bad cells marked, and an old .xls gets advice."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path

import pytest
from django.db import models
from django.urls import reverse
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from tests.conftest import login
from zhujian.core.models import Job, OrgUnit
from zhujian.core.registry import registry
from zhujian.domains.rural.models import ToiletHousehold
from zhujian.imports.columns import NUMBER_IN_TEXT_COLUMN, build_columns, unit_label
from zhujian.imports.engine import BadCell, import_file
from zhujian.imports.excel import export_rows, write_error_report, write_template
from zhujian.imports.workbook import OLE_SIGNATURE, XLS_ADVICE

pytestmark = pytest.mark.django_db

LEDGERS = [lg for lg in registry if lg.excel_fields]
TOILETS = "rural_toilethousehold"


def _must_be_text(ledger, col) -> bool:
    """Every column holding a code, an ID, a phone or a card number, and every other text
    field: decided here from the field types, independently of the writer's own flag."""
    f = ledger.field(col.field_name)
    return isinstance(f, models.ForeignKey) or (
        isinstance(f, models.CharField | models.TextField) and not f.choices
    )


def _text_columns(ledger) -> list[tuple[int, object]]:
    return [
        (i, col)
        for i, col in enumerate(build_columns(ledger), start=1)
        if _must_be_text(ledger, col)
    ]


def test_the_walk_covers_codes_ids_and_phones():
    code_like = {
        (lg.name, col.field_name) for lg in LEDGERS for col in build_columns(lg) if col.code_like
    }
    assert (TOILETS, "household_code") in code_like
    assert (TOILETS, "org_unit") in code_like
    assert ("petitions_petitioncase", "id_number") in code_like
    assert ("petitions_petitioncase", "phone") in code_like
    # and the generic rule does not call a person's name a code
    assert (TOILETS, "head_name") not in code_like
    every = {(lg.name, c.field_name) for lg in LEDGERS for _, c in _text_columns(lg)}
    assert code_like <= every


@pytest.mark.parametrize("ledger", LEDGERS, ids=[lg.name for lg in LEDGERS])
def test_template_code_columns_are_text(ledger, admin_user):
    buffer = BytesIO()
    write_template(ledger, admin_user, buffer)
    wb = load_workbook(BytesIO(buffer.getvalue()))
    ws = wb["数据"]
    for i, col in _text_columns(ledger):
        # the cells a clerk fills in, not only the header
        for row in (2, 50, 199):
            assert ws.cell(row=row, column=i).number_format == "@", (col.header, row)
    notes = " ".join(str(c.value) for row in wb["填表说明"].iter_rows() for c in row if c.value)
    assert "文本" in notes and "15 位有效数字" in notes


@pytest.mark.parametrize("ledger", LEDGERS, ids=[lg.name for lg in LEDGERS])
def test_export_code_columns_are_text_and_readable(ledger):
    qs = ledger.model._default_manager.order_by("pk")[:20]
    if not qs:
        pytest.skip("no demo records")
    buffer = BytesIO()
    export_rows(ledger, qs, buffer)
    ws = load_workbook(BytesIO(buffer.getvalue()))["数据"]
    assert ws.freeze_panes == "A2"
    for i, col in _text_columns(ledger):
        for row in range(2, ws.max_row + 1):
            cell = ws.cell(row=row, column=i)
            if cell.value is not None:
                assert cell.number_format == "@" and cell.data_type == "s", (col.header, row)


def test_export_names_the_unit_with_its_township_and_groups_thousands(admin_user):
    ledger = registry.get(TOILETS)
    obj = ToiletHousehold.objects.select_related("org_unit__parent").first()
    buffer = BytesIO()
    export_rows(ledger, ToiletHousehold.objects.filter(pk=obj.pk), buffer)
    ws = load_workbook(BytesIO(buffer.getvalue()))["数据"]
    headers = [c.value for c in ws[1]]
    unit = obj.org_unit
    assert ws.cell(2, headers.index("所属单位") + 1).value == (
        f"{unit.parent.name} {unit.name}（{unit.code}）"
    )
    widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
    assert all(w and w >= 12 for w in widths)
    money = registry.get("rural_toiletfundallocation")
    number_formats = {c.number_format for c in build_columns(money) if c.number_format}
    assert any(f.startswith("#,##0") for f in number_formats)
    years = {
        c.header: c.number_format for c in build_columns(registry.get("rural_dilapidatedhousing"))
    }
    assert years["任务年度"] == "0"  # 2022, not 2,022


def test_other_writers_keep_codes_text():
    """The error list and the draw announcement: text that looks like a number is text."""
    buffer = BytesIO()
    write_error_report([BadCell("数据", 2, "户编号", "3713990010010001", "重复")], buffer)
    cell = load_workbook(BytesIO(buffer.getvalue()))["错误清单"]["D2"]
    assert cell.value == "3713990010010001" and cell.number_format == "@"

    from zhujian.domains.housing.draw.files import RoundFile, write_xlsx

    rf = RoundFile(
        list_sha256="0" * 64,
        list={
            "round": {"code": "R1", "name": "测试"},
            "households": [
                {"seq": 1, "code": "3713990010010001", "name": "张三", "id": "3713****1234"}
            ],
            "units": [{"seq": 1, "code": "0101", "group": "A", "area": 80}],
        },
    )
    out = BytesIO()
    write_xlsx(rf, out)
    wb = load_workbook(BytesIO(out.getvalue()))
    codes = [
        c
        for ws in wb.worksheets[1:]
        for row in ws.iter_rows(min_row=2)
        for c in row
        if isinstance(c.value, str) and c.value.isdigit()
    ]
    assert codes and all(c.number_format == "@" for c in codes)


def test_the_report_figure_table_keeps_digit_strings_text():
    from zhujian.core.xlsx import looks_numeric
    from zhujian.reports import render
    from zhujian.reports.build import build_report

    report = build_report("2022H1", body="编号 {{ general.county_name }}")
    report.rows[0].value = "3713990010010001"  # a text figure made only of digits
    ws = load_workbook(BytesIO(render.to_xlsx(report)))["指标"]
    cells = [c for row in ws.iter_rows(min_row=4) for c in row if looks_numeric(c.value)]
    assert cells and all(c.number_format == "@" and c.data_type == "s" for c in cells)


# --- a 16-digit code through the file ---------------------------------------------------


def _village(town):
    return OrgUnit.objects.filter(parent=town.org_unit).order_by("code").first()


def _filled_template(tmp_path: Path, user, rows: list[dict]) -> Path:
    """The downloaded template with ``rows`` typed in (by header) and the 所属单位 taken
    from the drop-down list, as a clerk would."""
    ledger = registry.get(TOILETS)
    path = tmp_path / "模板.xlsx"
    write_template(ledger, user, path)
    wb = load_workbook(path)
    ws = wb["数据"]
    headers = {c.value: c.column for c in ws[1]}
    for r, values in enumerate(rows, start=2):
        for header, value in values.items():
            ws.cell(row=r, column=headers[header], value=value)
    wb.save(path)
    return path


def _household(code, unit_text, **more) -> dict:
    return {
        "户编号": code,
        "户主姓名": "王五",
        "所属单位": unit_text,
        "排查日期": dt.date(2022, 5, 1),
        "已改厕": "否",
        "厕所类型": "传统旱厕",
        **more,
    }


def test_a_16_digit_code_survives_the_round_trip(tmp_path, town_a):
    village = _village(town_a)
    code = f"{village.code}0999"
    assert len(code) == 16
    label = unit_label(village)
    # the drop-down offers this label (names with the code alongside)
    template = tmp_path / "blank.xlsx"
    write_template(registry.get(TOILETS), town_a, template)
    options = load_workbook(template)["选项"]
    offered = {c.value for row in options.iter_rows() for c in row if c.value}
    assert label in offered and village.code not in offered
    # a typed name is not refused by Excel's list check: the importer reads it
    data = load_workbook(template)["数据"]
    unit_letter = next(c.column_letter for c in data[1] if c.value == "所属单位")
    (unit_check,) = [
        dv for dv in data.data_validations.dataValidation if f"{unit_letter}2" in dv.sqref
    ]
    assert unit_check.errorStyle == "information"
    path = _filled_template(tmp_path, town_a, [_household(code, label)])
    # what any reader finds in the file: the code as text, every digit kept
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据").to_python()
    assert code in sheet[1]
    result = import_file(registry.get(TOILETS), path, town_a)
    assert result.ok, [str(e) for e in result.errors]
    stored = ToiletHousehold.objects.get(household_code=code)
    assert stored.org_unit == village
    # exported again and imported again: nothing changes
    again = tmp_path / "export.xlsx"
    export_rows(registry.get(TOILETS), ToiletHousehold.objects.filter(pk=stored.pk), again)
    back = import_file(registry.get(TOILETS), again, town_a)
    assert back.ok and back.unchanged == 1, [str(e) for e in back.errors]


def test_a_code_excel_turned_into_a_number_is_refused_not_rounded(tmp_path, town_a):
    village = _village(town_a)
    number = int(f"{village.code}0999")  # a General cell: Excel keeps 15 digits of it
    path = _filled_template(tmp_path, town_a, [_household(number, village.name)])
    result = import_file(registry.get(TOILETS), path, town_a)
    assert [e.reason for e in result.errors] == [NUMBER_IN_TEXT_COLUMN]
    assert result.errors[0].column == "户编号"


@pytest.mark.parametrize("how", ["name", "township and name", "label", "code"])
def test_the_unit_is_accepted_by_name_name_and_code_or_code(tmp_path, town_a, how):
    village = _village(town_a)
    text = {
        "name": village.name,
        "township and name": f"{town_a.org_unit.name} {village.name}",
        "label": f"{village.name}({village.code})",
        "code": village.code,
    }[how]
    path = _filled_template(tmp_path, town_a, [_household(f"{village.code}0998", text)])
    result = import_file(registry.get(TOILETS), path, town_a)
    assert result.ok, [str(e) for e in result.errors]
    assert ToiletHousehold.objects.get(household_code=f"{village.code}0998").org_unit == village


def test_a_name_that_contradicts_its_code_is_refused(tmp_path, town_a):
    village = _village(town_a)
    path = _filled_template(
        tmp_path, town_a, [_household(f"{village.code}0997", f"别的村（{village.code}）")]
    )
    result = import_file(registry.get(TOILETS), path, town_a)
    assert len(result.errors) == 1 and "不一致" in result.errors[0].reason


def test_a_unit_of_another_township_is_refused_in_every_form(tmp_path, town_a, town_b):
    other = _village(town_b)
    path = _filled_template(tmp_path, town_a, [_household(f"{other.code}0996", unit_label(other))])
    result = import_file(registry.get(TOILETS), path, town_a)
    assert result.errors and result.errors[0].column == "所属单位"
    assert not ToiletHousehold.objects.filter(household_code=f"{other.code}0996").exists()


# --- errors read as the clerk wrote them ------------------------------------------------


def test_import_errors_show_choice_labels_not_codes(tmp_path, town_a):
    village = _village(town_a)
    row = _household(f"{village.code}0995", unit_label(village), **{"已改厕": "是"})
    path = _filled_template(tmp_path, town_a, [row])
    result = import_file(registry.get(TOILETS), path, town_a)
    [error] = result.errors
    assert error.column == "厕所类型"
    assert error.value == "传统旱厕"
    assert "dry" not in str(error)


def test_import_page_names_the_key_by_its_verbose_name(client, town_a):
    page = login(client, town_a).get(reverse("web:ledger_import", args=[TOILETS])).content
    text = page.decode()
    assert "household_code" not in text and "按“户编号”识别" in text


# --- the user's own file, marked ---------------------------------------------------------


def _upload(client, path: Path, name: str):
    with open(path, "rb") as fh:
        data = BytesIO(fh.read())
    data.name = name
    return client.post(reverse("web:ledger_import", args=[TOILETS]), {"file": data})


def test_a_refused_file_comes_back_with_its_bad_cells_marked(client, tmp_path, town_a, town_b):
    village = _village(town_a)
    good = _household(f"{village.code}0990", unit_label(village))
    bad = _household(f"{village.code}0991", unit_label(village), **{"排查日期": "五月一日"})
    path = _filled_template(tmp_path, town_a, [good, bad])
    response = _upload(login(client, town_a), path, "排查.xlsx")
    job = Job.objects.latest("created_at")
    assert job.status == Job.Status.REFUSED and job.marked_file
    page = client.get(response["Location"]).content.decode()
    marked_url = reverse("web:import_marked", args=[job.pk])
    assert marked_url in page and reverse("web:import_errors", args=[job.pk]) in page
    download = client.get(marked_url)
    assert download.status_code == 200
    ws = load_workbook(BytesIO(b"".join(download.streaming_content)))["数据"]
    headers = {c.value: c.column for c in ws[1]}
    cell = ws.cell(row=3, column=headers["排查日期"])
    assert cell.value == "五月一日"  # the user's own value, kept
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert "不是有效日期" in cell.comment.text
    untouched = ws.cell(row=2, column=headers["排查日期"])
    assert untouched.comment is None and not untouched.fill.fgColor.rgb.endswith("FFC7CE")
    # nobody else may fetch it
    client.force_login(town_b)
    assert client.get(marked_url).status_code == 404


# --- an old .xls --------------------------------------------------------------------------


def test_an_xls_upload_gets_advice_to_save_as_xlsx(client, tmp_path, town_a):
    old = tmp_path / "旧表.xls"
    old.write_bytes(OLE_SIGNATURE + b"\0" * 600)
    login(client, town_a)
    response = _upload(client, old, "旧表.xls")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "另存为" in page and ".xlsx" in page
    assert not Job.objects.filter(filename="旧表.xls").exists()


def test_an_xls_renamed_xlsx_gets_the_same_advice(tmp_path, town_a):
    renamed = tmp_path / "改了名.xlsx"
    renamed.write_bytes(OLE_SIGNATURE + b"\0" * 600)
    result = import_file(registry.get(TOILETS), renamed, town_a)
    assert [e.reason for e in result.errors] == [XLS_ADVICE]
