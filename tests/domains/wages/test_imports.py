"""Attendance from gate devices (xlsx and CSV) and payments from the bank's file: bulk
imports through the engine, all or nothing, errors naming row and column, scope held."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.domains.wages.helpers import (
    grant_wages,
    line_for,
    project_in,
    setup_for,
    sheet_for,
    worker_on,
    write_csv,
    write_xlsx,
)
from zhujian.core.registry import registry
from zhujian.domains.wages.models import Attendance, WagePayment
from zhujian.imports.engine import import_file

pytestmark = pytest.mark.django_db
ATTENDANCE = registry.get("wages_attendance")
PAYMENTS = registry.get("wages_wagepayment")
HEADER = ["人员编号", "考勤日期", "工时（小时）"]


@pytest.fixture
def site(township):
    project = project_in(township)
    return project, worker_on(project), worker_on(project)


def _errors(result) -> list[str]:
    return [str(e) for e in result.errors]


@pytest.mark.parametrize("kind", ["xlsx", "csv-utf8", "csv-gbk"])
def test_gate_attendance_imports_from_xlsx_and_csv(tmp_path, user, site, kind):
    project, a, b = site
    rows = [
        HEADER,
        [a.code, "2022-05-09", 8],
        [b.code, "2022/5/9", "9.5"],
        [a.code, "2022-05-10", ""],
    ]
    if kind == "xlsx":
        path = write_xlsx(tmp_path / "门禁考勤.xlsx", rows)
    else:
        encoding = "utf-8-sig" if kind == "csv-utf8" else "gbk"
        path = write_csv(tmp_path / "门禁考勤.csv", rows, encoding)
    result = import_file(ATTENDANCE, path, user("jianzhu"))
    assert result.ok, _errors(result)
    assert result.created == 3
    saved = Attendance.objects.filter(project=project).order_by("worker_id", "day")
    assert [(r.worker_id, r.day, r.org_unit_id) for r in saved] == [
        (a.pk, dt.date(2022, 5, 9), project.org_unit_id),
        (a.pk, dt.date(2022, 5, 10), project.org_unit_id),
        (b.pk, dt.date(2022, 5, 9), project.org_unit_id),
    ]
    again = import_file(ATTENDANCE, path, user("jianzhu"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_csv_with_tabs_and_a_bom_is_read(tmp_path, user, site):
    _, a, _ = site
    path = tmp_path / "gate.csv"
    path.write_text(
        f"\ufeff人员编号\t考勤日期\t工时（小时）\n{a.code}\t2022-05-09\t8\n", encoding="utf-8"
    )
    result = import_file(ATTENDANCE, path, user("jianzhu"))
    assert result.ok and result.created == 1, _errors(result)


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(tmp_path, user, site, kind):
    _, a, b = site
    rows = [
        HEADER,
        [a.code, "2022-05-09", 8],
        ["NO-SUCH", "2022-05-09", 8],
        [b.code, "2022-02-30", 8],
        [b.code, "2022-05-11", 30],
        [a.code, "2022-05-09", 8],
        [a.code, "2022-01-05", 8],  # before the worker entered the site
    ]
    writer = write_xlsx if kind == "xlsx" else write_csv
    path = writer(tmp_path / f"bad.{kind}", rows)
    before = Attendance.objects.count()
    result = import_file(ATTENDANCE, path, user("jianzhu"))
    errors = _errors(result)
    assert not result.ok
    assert any("第3行【人员编号】" in e and "找不到" in e for e in errors), errors
    assert any("第4行【考勤日期】" in e and "不是有效日期" in e for e in errors), errors
    assert any("第5行【工时（小时）】" in e for e in errors), errors
    assert any("第6行【人员编号】" in e and "与第2行重复" in e for e in errors), errors
    assert any("第7行【考勤日期】" in e and "早于该工人的进场日期" in e for e in errors), errors
    assert Attendance.objects.count() == before
    assert "未写入任何数据" in result.summary()


def test_a_broken_csv_line_is_reported_with_its_row(tmp_path, user, site):
    _, a, _ = site
    path = tmp_path / "broken.csv"
    path.write_bytes(f"人员编号,考勤日期\n{a.code},2022-05-09\n{a.code},2022-05-\x0010\n".encode())
    before = Attendance.objects.count()
    result = import_file(ATTENDANCE, path, user("jianzhu"))
    assert not result.ok
    assert any("第3行" in e for e in _errors(result)), _errors(result)
    assert Attendance.objects.count() == before


def test_a_csv_too_wide_is_refused(tmp_path, user):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["x"] * 1001) + "\n", encoding="utf-8")
    result = import_file(ATTENDANCE, path, user("jianzhu"))
    assert not result.ok and "超过 1000 列" in _errors(result)[0]


def test_attendance_keeps_no_history_rows(tmp_path, user, site):
    _, a, _ = site
    assert not hasattr(Attendance, "history")
    path = write_csv(tmp_path / "one.csv", [HEADER, [a.code, "2022-05-09", 8]])
    assert import_file(ATTENDANCE, path, user("jianzhu")).created == 1


def test_a_township_cannot_import_attendance_of_another_townships_workers(
    tmp_path, user, town_a, town_b
):
    grant_wages(town_a)
    own_project = project_in(town_a.org_unit)
    own = worker_on(own_project)
    other = worker_on(project_in(town_b.org_unit))
    path = write_csv(
        tmp_path / "mixed.csv", [HEADER, [own.code, "2022-05-09", 8], [other.code, "2022-05-09", 8]]
    )
    before = Attendance.objects.count()
    result = import_file(ATTENDANCE, path, town_a)
    errors = _errors(result)
    assert any("第3行【人员编号】" in e and "不在您的管辖范围内" in e for e in errors), errors
    assert Attendance.objects.count() == before
    path = write_csv(tmp_path / "own.csv", [HEADER, [own.code, "2022-05-09", 8]])
    assert import_file(ATTENDANCE, path, town_a).created == 1


def test_the_bank_file_imports_payments_to_each_workers_own_card(tmp_path, user, township):
    project = project_in(township)
    setup_for(project)
    sheet = sheet_for(project)
    a, b = worker_on(project), worker_on(project)
    line_for(sheet, a)
    line_for(sheet, b)
    header = ["银行流水号", "工资表编号", "人员编号", "收款账号", "金额（元）", "交易日期"]
    good = [header, ["B001", sheet.number, a.code, a.bank_card, "5000.00", "2022-06-10"]]
    result = import_file(PAYMENTS, write_csv(tmp_path / "bank.csv", good), user("jianzhu"))
    assert result.ok and result.created == 1, _errors(result)
    payment = WagePayment.objects.get(number="B001")
    assert (payment.project_id, payment.month) == (project.pk, dt.date(2022, 5, 1))
    bad = [header, ["B002", sheet.number, b.code, a.bank_card, "5000.00", "2022-06-10"]]
    result = import_file(PAYMENTS, write_csv(tmp_path / "bank2.csv", bad), user("jianzhu"))
    assert any("第2行【收款账号】" in e and "工人本人账户" in e for e in _errors(result)), _errors(
        result
    )
    assert not WagePayment.objects.filter(number="B002").exists()


def test_a_bank_file_paying_an_unsigned_line_is_refused(tmp_path, user, township):
    """Rule wage_pay_sheet (条例第三十一条): each payment needs its worker's signature on
    the sheet, a bank slip does not replace it; a signed worker of the same sheet is paid."""
    project = project_in(township)
    setup_for(project)
    sheet = sheet_for(project)
    a, b = worker_on(project), worker_on(project)
    line_for(sheet, a)
    line_for(sheet, b, signed=False, bank_slip="HD-1")
    header = ["银行流水号", "工资表编号", "人员编号", "收款账号", "金额（元）", "交易日期"]
    rows = [
        header,
        ["B101", sheet.number, a.code, a.bank_card, "5000", "2022-06-10"],
        ["B102", sheet.number, b.code, b.bank_card, "5000", "2022-06-10"],
    ]
    result = import_file(PAYMENTS, write_xlsx(tmp_path / "bank.xlsx", rows), user("jianzhu"))
    errors = _errors(result)
    assert len(errors) == 1, errors
    assert "第3行【人员编号】" in errors[0] and "未经工人本人签字" in errors[0]
    assert "回单不能代替本人签字" in errors[0] and "第三十一条" in errors[0]
    assert not WagePayment.objects.filter(sheet=sheet).exists()


def test_a_pay_sheet_import_refuses_a_worker_without_a_contract(tmp_path, user, township):
    project = project_in(township)
    sheet = sheet_for(project)
    worker = worker_on(project, contract_signed_on=None)
    rows = [
        ["工资表编号", "人员编号", "出勤天数", "应发工资（元）", "扣款（元）", "本人签字"],
        [sheet.number, worker.code, 20, 5000, 0, "是"],
    ]
    lines = registry.get("wages_payline")
    result = import_file(lines, write_xlsx(tmp_path / "lines.xlsx", rows), user("jianzhu"))
    assert any("第2行【人员编号】" in e and "未签订劳动合同" in e for e in _errors(result))
    assert not sheet.lines.exists()
