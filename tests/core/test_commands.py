"""The CLI: ledgers, template, export, import."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from zhujian.core.registry import registry
from zhujian.domains.party.models import PartyActivity

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_ledgers_lists_name_label_and_count():
    lines = run("ledgers").splitlines()
    assert len(lines) == len(registry)
    row = next(line for line in lines if line.startswith("party_partyactivity\t"))
    assert row.split("\t") == [
        "party_partyactivity",
        "党建活动",
        str(PartyActivity.objects.count()),
    ]


def test_template_export_import_cycle(tmp_path):
    template = tmp_path / "t.xlsx"
    run("template", "party_partyactivity", "-o", str(template))
    assert load_workbook(template)["数据"]["A1"].value == "所属单位"
    exported = tmp_path / "e.xlsx"
    out = run("export", "party_partyactivity", "-o", str(exported), "--unit", "371399900000")
    assert f"{PartyActivity.objects.count()} 条" in out
    out = run("import", "party_partyactivity", str(exported), "--user", "bangongshi")
    assert "新增 0，更新 0" in out


def test_export_as_a_township_user_is_scoped(tmp_path):
    exported = tmp_path / "e.xlsx"
    out = run("export", "party_cobuildproject", "-o", str(exported), "--user", "town01")
    rows = load_workbook(exported)["数据"].max_row - 1
    assert f"{rows} 条" in out


def test_import_dry_run_writes_nothing(tmp_path):
    exported = tmp_path / "e.xlsx"
    run("export", "party_partyactivity", "-o", str(exported))
    PartyActivity.objects.filter(kind="story").delete()
    before = PartyActivity.objects.count()
    out = run("import", "party_partyactivity", str(exported), "--user", "bangongshi", "--dry-run")
    assert "试运行" in out
    assert PartyActivity.objects.count() == before


def test_refused_import_exits_with_the_errors(tmp_path):
    exported = tmp_path / "e.xlsx"
    run("export", "party_partyactivity", "-o", str(exported))
    wb = load_workbook(exported)
    wb["数据"]["B2"] = "不是日期"
    wb.save(exported)
    errors = tmp_path / "errors.xlsx"
    with pytest.raises(CommandError, match="导入被拒绝"):
        run(
            "import",
            "party_partyactivity",
            str(exported),
            "--user",
            "bangongshi",
            "--errors",
            str(errors),
        )
    sheet = load_workbook(errors)["错误清单"]
    assert [c.value for c in sheet[2]][:3] == ["数据", 2, "活动日期"]


def test_unknown_ledger_and_user_are_explained():
    with pytest.raises(CommandError, match="没有名为"):
        run("template", "no_such", "-o", "/tmp/x.xlsx")
    with pytest.raises(CommandError, match="没有用户"):
        run("import", "party_partyactivity", "/tmp/x.xlsx", "--user", "nobody")
