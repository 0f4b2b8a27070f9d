"""Published files verify from themselves alone, and a tampered one does not: the JSON
round file, the Excel announcement, ``zhujian draw verify`` and the public page."""

from __future__ import annotations

import json
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document
from openpyxl import load_workbook

from tests.domains.housing import helpers
from zhujian.domains.housing.draw import files
from zhujian.domains.housing.draw.algorithm import DrawError
from zhujian.domains.housing.draw.announce import render_docx

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(user):
    return helpers.drawn_round(user("zhubao"))


@pytest.fixture
def xlsx_path(tmp_path, drawn):
    path = tmp_path / "公告.xlsx"
    files.write_xlsx(files.from_round(drawn), path)
    return path


@pytest.fixture
def json_path(tmp_path, drawn):
    path = tmp_path / "round.json"
    path.write_bytes(files.to_json(files.from_round(drawn)))
    return path


def _swap_units_in_result(path) -> None:
    """Give the first two households of the result each other's unit (a forged notice)."""
    wb = load_workbook(path)
    ws = wb[files.SHEET_RESULT]
    header = [c.value for c in ws[1]]
    columns = [header.index(h) + 1 for h in ("房源序号", "房号", "建筑面积（平方米）")]
    for col in columns:
        a, b = ws.cell(row=2, column=col), ws.cell(row=3, column=col)
        a.value, b.value = b.value, a.value
    wb.save(path)


def test_the_json_round_file_verifies(json_path, drawn):
    result = files.verify(files.load(json_path.read_bytes()), drawn.seed)
    assert result.ok, result.report()
    assert len(result.findings) == 3


def test_the_excel_announcement_reads_back_to_the_same_round(xlsx_path, drawn):
    again = files.read_xlsx(xlsx_path)
    original = files.from_round(drawn)
    assert again.list == original.list == helpers.list_document()
    assert again.assignment == original.assignment
    assert [i["value"] for i in again.inputs] == [v for _who, v in helpers.INPUTS]
    assert files.verify(again, drawn.seed).ok


def test_a_tampered_announcement_is_detected(xlsx_path, drawn):
    _swap_units_in_result(xlsx_path)
    result = files.verify(files.read_xlsx(xlsx_path), drawn.seed)
    assert not result.ok
    assert any("杨磊" in p and "公告为" in p for p in result.problems), result.problems


def test_a_list_changed_after_publication_is_detected(json_path, drawn):
    doc = json.loads(json_path.read_text())
    doc["list"]["households"][1]["name"] = "李秀兰"
    result = files.verify(files.from_json(json.dumps(doc).encode()), drawn.seed)
    assert not result.ok and any("名单与摘要不符" in p for p in result.problems)


def test_a_seed_that_the_inputs_do_not_give_is_detected(json_path):
    doc = json.loads(json_path.read_text())
    doc["seed"] = "0" * 64
    result = files.verify(files.from_json(json.dumps(doc).encode()))
    assert not result.ok
    assert any("种子不符" in p for p in result.problems)


def test_a_mistyped_seed_is_a_wrong_input_not_wrong_allocations(json_path, drawn):
    """Issue 21: one wrong character typed in the seed listed dozens of households with
    the flat they "should" have got; it is the reader's typing error, said once."""
    typo = ("1" if drawn.seed[0] != "1" else "2") + drawn.seed[1:]
    result = files.verify(files.load(json_path.read_bytes()), typo)
    assert not result.ok
    assert "输错" in result.input_error and typo in result.input_error
    assert result.problems == []
    assert not any("家庭" in line for line in result.report().splitlines()[1:])


def test_an_input_changed_after_the_draw_is_detected(json_path, drawn):
    doc = json.loads(json_path.read_text())
    doc["inputs"][0]["value"] = "0816"
    result = files.verify(files.from_json(json.dumps(doc).encode()), drawn.seed)
    assert not result.ok and any("种子不符" in p for p in result.problems)


def test_a_published_list_without_result_gives_the_result_to_expect(tmp_path, user):
    from zhujian.domains.housing.draw import service

    staff = user("zhubao")
    rnd = service.freeze(helpers.make_round(staff), staff, at=helpers.PUBLISHED_AT)
    for who, value in helpers.INPUTS:
        service.add_input(rnd, who, value, staff, at=helpers.INPUTS_AT)
    rnd = service.set_beacon(rnd, helpers.BEACON_VALUE, staff, at=helpers.DRAWN_AT)
    rf = files.from_round(rnd)
    assert rf.assignment is None and rf.list_sha256 == helpers.LIST_SHA256
    result = files.verify(rf, helpers.SEED)
    assert result.ok
    assert [(a.group, a.position, a.household, a.unit) for a in result.allotments] == helpers.RESULT


def test_the_command_verifies_and_fails_on_a_tampered_file(xlsx_path, drawn):
    out = StringIO()
    call_command("draw", "verify", str(xlsx_path), drawn.seed, stdout=out)
    assert out.getvalue().startswith("验证通过")
    _swap_units_in_result(xlsx_path)
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("draw", "verify", str(xlsx_path), drawn.seed, stdout=out)
    assert exc.value.returncode == 1
    assert "验证不通过" in out.getvalue()


def test_the_command_exports_the_three_files(tmp_path, drawn):
    for suffix in ("json", "xlsx", "docx"):
        path = tmp_path / f"out.{suffix}"
        call_command("draw", "export", drawn.code, "-o", str(path), stdout=StringIO())
        assert path.stat().st_size > 0
    assert files.verify(files.load((tmp_path / "out.json").read_bytes()), drawn.seed).ok


def test_the_public_page_verifies_without_signing_in(client, xlsx_path, drawn):
    with open(xlsx_path, "rb") as fh:
        response = client.post("/housing/draws/verify/", {"file": fh, "seed": drawn.seed})
    assert response.status_code == 200
    assert "验证通过" in response.content.decode()
    _swap_units_in_result(xlsx_path)
    with open(xlsx_path, "rb") as fh:
        response = client.post("/housing/draws/verify/", {"file": fh, "seed": drawn.seed})
    assert "验证不通过" in response.content.decode()


def test_the_public_page_explains_a_file_it_cannot_read(client):
    response = client.post(
        "/housing/draws/verify/", {"file": BytesIO(b"not a round"), "seed": "0" * 64}
    )
    assert response.status_code == 400 and "不是有效的摇号文件" in response.content.decode()


def test_an_oversized_workbook_is_refused_before_it_is_read(xlsx_path):
    wb = load_workbook(xlsx_path)
    wb[files.SHEET_HOUSEHOLDS].cell(row=files.MAX_ROWS + 5, column=1).value = 1
    wb.save(xlsx_path)
    with pytest.raises(DrawError, match="过大"):
        files.read_xlsx(xlsx_path)


def test_the_word_announcement_carries_digest_seed_and_result(drawn):
    data = render_docx(files.from_round(drawn), "示例县住房和城乡建设局")
    doc = Document(BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert doc.paragraphs[0].text == "关于已知答案测试轮次摇号结果的公告"
    assert helpers.LIST_SHA256 in text and helpers.SEED in text and "签发人：测试签发人" in text
    result_rows = [[c.text for c in row.cells] for row in doc.tables[1].rows[1:]]
    assert ["A组（两室）", "1", "杨磊", "ZLS-006", "1号楼1单元101室", "78.50"] in result_rows
    assert "中国福利彩票3D第2022133期" in text and "北京时间" in text
    inputs = [[c.text for c in row.cells] for row in doc.tables[0].rows[1:]]
    assert inputs[0][3] == "2022-05-12 10:00:00（北京时间）"  # stored 02:00 UTC
