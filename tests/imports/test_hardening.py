"""Import defences from the security audit (issue 9): linked records through the scope
gate, bounded numbers and dates, Excel error values, files the reader cannot hold, the
error cap, and one import at a time on SQLite."""

from __future__ import annotations

import datetime as dt
import threading

import openpyxl
import pytest
from django.db import OperationalError

from tests.imports.helpers import rewrite_sheet, write_rows
from zhujian.core.models import OrgUnit
from zhujian.core.registry import registry
from zhujian.domains.rural.models import SewageOperation, SewageStation, ToiletHousehold
from zhujian.imports import engine, locking
from zhujian.imports.engine import import_file

pytestmark = pytest.mark.django_db

OPERATIONS = registry.get("rural_sewageoperation")
HOUSEHOLDS = registry.get("rural_toilethousehold")


def operation_row(station: str, month: str = "2022-03-01", **extra: object) -> dict:
    return {
        "所属单位": "371399100000",
        "污水处理站": station,
        "月份": month,
        "处理水量（吨）": 100,
        "运行天数": 30,
        "出水达标": "是",
        **extra,
    }


def household_row(unit: OrgUnit, number: str, **extra: object) -> dict:
    return {
        "所属单位": unit.code,
        "户编号": number,
        "户主姓名": "测试户",
        "排查日期": "2022-03-01",
        "已改厕": "是",
        "厕所类型": "三格化粪池式",
        **extra,
    }


def a_village(township: OrgUnit) -> OrgUnit:
    return OrgUnit.objects.villages().filter(path__startswith=township.path).first()


# --- 1. linked records go through the scope gate ------------------------------------------


def test_a_linked_record_of_another_township_is_not_found(tmp_path, town_b):
    foreign = SewageStation.objects.exclude(org_unit=town_b.org_unit).first()
    before = SewageOperation.objects.count()
    row = operation_row(foreign.code, "2019-03-01")
    result = import_file(OPERATIONS, write_rows(tmp_path / "ops.xlsx", OPERATIONS, [row]), town_b)
    assert not result.ok
    assert SewageOperation.objects.count() == before
    assert not SewageOperation.objects.filter(station=foreign, month=dt.date(2019, 3, 1)).exists()
    (error,) = result.errors
    assert error.column == "污水处理站"
    assert foreign.org_unit.name not in error.reason and foreign.name not in error.reason


def test_another_townships_key_and_a_missing_key_read_the_same(tmp_path, town_b):
    foreign = SewageStation.objects.exclude(org_unit=town_b.org_unit).first()
    path = write_rows(
        tmp_path / "ops.xlsx",
        OPERATIONS,
        [operation_row(foreign.code), operation_row("WS-NO-SUCH")],
    )
    first, second = import_file(OPERATIONS, path, town_b).errors
    assert first.reason.replace(foreign.code, "X") == second.reason.replace("WS-NO-SUCH", "X")


def test_the_final_record_is_checked_after_its_rules_ran(tmp_path, town_b, monkeypatch):
    """Whatever ``derive()``/``clean()`` make of a record, a record outside the user's units
    is refused before anything is written."""
    own = SewageStation.objects.filter(org_unit=town_b.org_unit).first()
    elsewhere = OrgUnit.objects.townships().exclude(pk=town_b.org_unit_id).first()
    original = SewageOperation.derive

    def derive_elsewhere(self: SewageOperation) -> None:
        original(self)
        self.org_unit = elsewhere

    monkeypatch.setattr(SewageOperation, "derive", derive_elsewhere)
    before = SewageOperation.objects.count()
    path = write_rows(tmp_path / "ops.xlsx", OPERATIONS, [operation_row(own.code, "2022-04-01")])
    result = import_file(OPERATIONS, path, town_b)
    assert [e.reason for e in result.errors] == ["该记录将归属于您管辖范围以外的单位，不能导入"]
    assert SewageOperation.objects.count() == before


def test_a_record_takes_its_parents_unit_on_import(tmp_path, user):
    """Imports write in bulk without save(): the parent's unit still wins over the file."""
    station = SewageStation.objects.first()
    other = OrgUnit.objects.townships().exclude(pk=station.org_unit_id).first()
    row = operation_row(station.code, "2021-01-01") | {"所属单位": other.code}
    path = write_rows(tmp_path / "ops.xlsx", OPERATIONS, [row])
    result = import_file(OPERATIONS, path, user("admin"))
    assert result.ok, [str(e) for e in result.errors]
    made = SewageOperation.objects.get(station=station, month=dt.date(2021, 1, 1))
    assert made.org_unit_id == station.org_unit_id


# --- 2. numbers and dates are bounded before any arithmetic -------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("运行天数", "Infinity"),
        ("运行天数", "-inf"),
        ("运行天数", "NaN"),
        ("运行天数", "sNaN"),
        ("运行天数", "1e999999999"),
        ("运行天数", "9" * 5000),
        ("处理水量（吨）", "1e100000"),
        ("处理水量（吨）", "Infinity"),
        ("处理水量（吨）", "123456789012345"),
        ("月份", "0001-01-01"),
        ("月份", "9999-12-01"),
    ],
)
def test_a_number_or_date_that_cannot_be_the_fields_value_is_a_cell_error(
    tmp_path, user, column, value
):
    station = SewageStation.objects.first()
    path = write_rows(
        tmp_path / "ops.xlsx", OPERATIONS, [operation_row(station.code, **{column: value})]
    )
    result = import_file(OPERATIONS, path, user("admin"))
    assert [(e.row, e.column) for e in result.errors] == [(2, column)]


def test_a_small_integer_column_refuses_what_postgresql_would(tmp_path, town_a):
    village = a_village(town_a.org_unit)
    row = household_row(village, "T-RANGE-1", **{"问题数（处）": 99999, "主要问题类别": "设施损坏"})
    result = import_file(HOUSEHOLDS, write_rows(tmp_path / "h.xlsx", HOUSEHOLDS, [row]), town_a)
    assert [(e.column, e.reason) for e in result.errors] == [("问题数（处）", "不能大于 32767")]
    assert not ToiletHousehold.objects.filter(household_code="T-RANGE-1").exists()


# --- Excel error values are bad cells, not blanks -----------------------------------------


def test_excel_error_values_are_reported_not_read_as_blank(tmp_path, town_a):
    village = a_village(town_a.org_unit)
    plain = write_rows(
        tmp_path / "plain.xlsx",
        HOUSEHOLDS,
        [household_row(village, "T-ERR-1"), household_row(village, "T-ERR-2")],
    )
    headers = [c.header for c in engine.build_columns(HOUSEHOLDS)]
    name_column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[headers.index("户主姓名")]

    def to_error(xml: str) -> str:
        start = xml.index(f'<c r="{name_column}3"')
        end = xml.index("</c>", start) + 4
        return xml[:start] + f'<c r="{name_column}3" t="e"><f>1/0</f><v>#DIV/0!</v></c>' + xml[end:]

    path = rewrite_sheet(plain, tmp_path / "errors.xlsx", to_error)
    result = import_file(HOUSEHOLDS, path, town_a)
    assert [(e.row, e.column, e.value) for e in result.errors] == [(3, "户主姓名", "#DIV/0!")]
    assert "Excel 错误值" in result.errors[0].reason
    assert not ToiletHousehold.objects.filter(household_code__startswith="T-ERR-").exists()


# --- 3. a tiny file cannot make the reader allocate the world -----------------------------


def test_a_value_at_the_last_cell_of_the_sheet_is_refused_before_reading(tmp_path, town_a):
    village = a_village(town_a.org_unit)
    plain = write_rows(tmp_path / "p.xlsx", HOUSEHOLDS, [household_row(village, "T-FAR-1")])
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    path = rewrite_sheet(
        plain, tmp_path / "far.xlsx", lambda xml: xml.replace("</sheetData>", far + "</sheetData>")
    )
    assert path.stat().st_size < 10_000
    result = import_file(HOUSEHOLDS, path, town_a)  # on today's main this aborts the process
    (error,) = result.errors
    assert error.column == "文件" and "超出导入范围" in error.reason


def test_a_dimension_tag_alone_does_not_refuse_a_small_file(tmp_path, town_a):
    village = a_village(town_a.org_unit)
    plain = write_rows(tmp_path / "p.xlsx", HOUSEHOLDS, [household_row(village, "T-DIM-1")])
    path = rewrite_sheet(
        plain,
        tmp_path / "dim.xlsx",
        lambda xml: xml.replace('<dimension ref="A1:', '<dimension ref="A1:XFD1048576" x="'),
    )
    result = import_file(HOUSEHOLDS, path, town_a)
    assert result.ok, [str(e) for e in result.errors]


def test_a_file_that_is_not_xlsx_is_a_clear_error(tmp_path, town_a):
    path = tmp_path / "fake.xlsx"
    path.write_text("<html>not a workbook</html>")
    (error,) = import_file(HOUSEHOLDS, path, town_a).errors
    assert "不是 .xlsx 文件" in error.reason


# --- 7. the error cap holds for rows that fail to parse -----------------------------------


def test_checking_stops_at_the_error_cap_and_says_how_much_is_left(tmp_path, town_a):
    village = a_village(town_a.org_unit)
    rows = [household_row(village, f"T-BAD-{i}", 排查日期="不是日期") for i in range(1500)]
    result = import_file(HOUSEHOLDS, write_rows(tmp_path / "bad.xlsx", HOUSEHOLDS, rows), town_a)
    assert len(result.errors) == engine.MAX_ERRORS
    assert result.stopped_at_row == engine.MAX_ERRORS + 1
    assert result.unchecked_rows == 1500 - engine.MAX_ERRORS
    assert "停止检查" in result.summary() and "500 行未检查" in result.summary()


# --- 15. two imports at once on SQLite ----------------------------------------------------


def test_a_second_import_waits_for_the_first(tmp_path, town_a, settings):
    settings.VAR_DIR = tmp_path
    village = a_village(town_a.org_unit)
    path = write_rows(tmp_path / "h.xlsx", HOUSEHOLDS, [household_row(village, "T-WAIT-1")])
    events: list[str] = []
    held = threading.Event()

    def first_import() -> None:
        with locking.import_lock(wait=5):
            held.set()
            events.append("first started")
            threading.Event().wait(0.3)
            events.append("first finished")

    holder = threading.Thread(target=first_import)
    holder.start()
    held.wait(5)
    result = import_file(HOUSEHOLDS, path, town_a)
    events.append("second finished")
    holder.join()
    assert result.ok
    if locking.connection.vendor == "sqlite":
        assert events == ["first started", "first finished", "second finished"]


def test_an_import_that_cannot_get_its_turn_says_so(tmp_path, town_a, settings, monkeypatch):
    settings.VAR_DIR = tmp_path
    village = a_village(town_a.org_unit)
    path = write_rows(tmp_path / "h.xlsx", HOUSEHOLDS, [household_row(village, "T-BUSY-1")])
    monkeypatch.setattr(locking, "WAIT_SECONDS", 0.2)
    with locking.import_lock():
        result = import_file(HOUSEHOLDS, path, town_a)
    if locking.connection.vendor == "sqlite":
        (error,) = result.errors
        assert "另一个导入正在进行" in error.reason
        assert not ToiletHousehold.objects.filter(household_code="T-BUSY-1").exists()
    else:  # PostgreSQL takes concurrent imports: no queue, no refusal
        assert result.ok


def test_a_locked_database_is_a_clear_error_not_a_traceback(tmp_path, town_a, monkeypatch):
    village = a_village(town_a.org_unit)
    path = write_rows(tmp_path / "h.xlsx", HOUSEHOLDS, [household_row(village, "T-LOCK-1")])

    def locked(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(engine, "insert_with_history", locked)
    (error,) = import_file(HOUSEHOLDS, path, town_a).errors
    assert error.reason == locking.BUSY_MESSAGE


def test_two_new_rows_breaking_a_uniqueness_rule_refuse_the_file_naming_the_rows(tmp_path, user):
    """Enterprises are keyed by their credit code but their name is unique too: two new
    rows of one file with one name pass the checks and meet at the database. On
    PostgreSQL that write runs beside the next checks (no savepoint); either way the
    file is refused with the rows named and nothing is written."""
    from tests.imports.helpers import exported
    from zhujian.domains.construction.models import Enterprise
    from zhujian.domains.construction.validators import check_character
    from zhujian.imports.engine import import_file

    ledger = registry.get("construction_enterprise")
    source = exported(tmp_path / "e.xlsx", ledger.name, Enterprise.objects.order_by("pk")[:1])
    wb = openpyxl.load_workbook(source)
    ws = wb["数据"]
    headers = [c.value for c in ws[1]]
    code_at = next(i for i, h in enumerate(headers) if h and h.startswith("统一社会信用代码"))
    name_at = next(i for i, h in enumerate(headers) if h and h.startswith("企业名称"))
    template = [c.value for c in ws[2]]
    ws.delete_rows(2)
    for serial in ("Q00000001", "Q00000002"):
        first17 = template[code_at][:8] + serial
        row = list(template)
        row[code_at] = first17 + check_character(first17)
        row[name_at] = "同名测试建筑有限公司"
        ws.append(row)
    wb.save(tmp_path / "two.xlsx")
    before = Enterprise.objects.count()
    result = import_file(ledger, tmp_path / "two.xlsx", user("jianzhu"))
    assert [e.reason for e in result.errors] == [
        "第2—3行中有记录与已有记录冲突（违反唯一性规则），请检查这些行中应当唯一的项"
    ]
    assert Enterprise.objects.count() == before
    assert not Enterprise.objects.filter(name="同名测试建筑有限公司").exists()
