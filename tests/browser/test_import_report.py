"""Excel import with a bad cell through the import page; the report page and its download."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.helpers import screenshot
from zhujian.core.models import User
from zhujian.core.registry import registry
from zhujian.imports.columns import build_columns
from zhujian.imports.engine import DATA_SHEET
from zhujian.imports.excel import write_template

pytestmark = pytest.mark.browser


def _filled_template(path: Path, username: str) -> Path:
    """The party-activity template with one good row and one row whose date is wrong."""
    ledger = registry.get("party_partyactivity")
    user = User.objects.get(username=username)
    write_template(ledger, user, path)
    wb = load_workbook(path)
    ws = wb[DATA_SHEET]
    headers = [c.value for c in ws[1]]
    columns = {c.field_name: headers.index(c.header) + 1 for c in build_columns(ledger)}
    kind = next(c for c in build_columns(ledger) if c.field_name == "kind").choices[0]
    unit = user.org_unit.code
    rows = [
        {"org_unit": unit, "held_on": "2022-06-01", "kind": kind, "topic": "导入测试一"},
        {"org_unit": unit, "held_on": "2022-13-45", "kind": kind, "topic": "导入测试二"},
    ]
    for r, row in enumerate(rows, start=2):
        for name, value in row.items():
            ws.cell(row=r, column=columns[name], value=value)
    wb.save(path)
    return path


def test_import_with_a_bad_cell_shows_its_error_report(open_page, tmp_path) -> None:
    page = open_page("bangongshi")
    workbook = _filled_template(tmp_path / "党建活动.xlsx", "bangongshi")
    page.goto("/ledgers/party_partyactivity/import/")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(workbook))
    page.get_by_role("button", name="上传并导入").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    status = page.locator("#job-progress")
    status.get_by_text("被拒绝", exact=True).wait_for()
    assert "发现 1 处错误" in status.locator(".summary").inner_text()
    errors = page.locator("table.errors-table tbody tr")
    assert errors.count() == 1
    row = errors.first.inner_text()
    assert "3" in row and "2022-13-45" in row and "不是有效日期" in row
    assert page.get_by_role("link", name=re.compile("下载错误清单")).is_visible()
    screenshot(page, "import-errors.png")
    # nothing was imported: the file is refused as a whole
    page.goto("/ledgers/party_partyactivity/?q=导入测试")
    assert "没有符合条件的记录" in page.locator("table.grid").inner_text()


def test_report_page_and_word_download(open_page, tmp_path) -> None:
    page = open_page("leader")
    page.get_by_role("link", name="生成工作总结").click()
    page.wait_for_url(re.compile(r"/report/\?period=2022H1"))
    assert page.locator("article.report-text p").count() > 5
    screenshot(page, "report.png")
    with page.expect_download() as info:  # the file downloads when ready, no second click
        page.get_by_role("button", name="下载 Word").click()
    page.locator("#job-progress").get_by_text("已完成", exact=True).wait_for()
    download = info.value
    assert download.suggested_filename.endswith("-2022H1.docx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as docx:
        body = docx.read("word/document.xml").decode()
    assert "示例县" in body
