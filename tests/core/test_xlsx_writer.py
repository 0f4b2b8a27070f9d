"""Every workbook Zhujian writes goes through one writer, ``core.xlsx.workbook``, whose
sheets keep text that looks like a formula as text (issue 21: the draw announcement built
its own openpyxl ``Workbook`` and wrote ``=…`` household names as live formulas)."""

from __future__ import annotations

import ast
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from zhujian.core import xlsx

SRC = Path(__file__).resolve().parents[2] / "src" / "zhujian"
HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", '=HYPERLINK("http://x","点我")']


def _workbook_constructors(path: Path) -> list[int]:
    """Lines of ``path`` that build an openpyxl workbook by hand (``Workbook(…)``, or any
    name imported from openpyxl's workbook module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {"Workbook"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl"):
            names |= {a.asname or a.name for a in node.names if a.name == "Workbook"}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in names:
                lines.append(node.lineno)
    return lines


def test_no_module_but_the_writer_builds_an_openpyxl_workbook():
    offenders = {
        str(path.relative_to(SRC)): lines
        for path in SRC.rglob("*.py")
        if path.name != "xlsx.py" or path.parent.name != "core"
        if (lines := _workbook_constructors(path))
    }
    assert offenders == {}, f"build workbooks with zhujian.core.xlsx.workbook(): {offenders}"


def test_the_walk_finds_a_hand_made_workbook(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from openpyxl import Workbook as W\nwb = W(write_only=True)\n")
    assert _workbook_constructors(sample) == [2]


@pytest.mark.parametrize("write_only", [False, True])
def test_the_writer_keeps_formula_text_as_text_in_both_modes(write_only):
    wb = xlsx.workbook(write_only=write_only)
    ws = wb.create_sheet("数据") if write_only else wb.active
    ws.append(["户主", *HOSTILE])
    if not write_only:
        ws["A2"] = "=2*3"  # a direct assignment is guarded too, at save time
        ws.cell(row=3, column=1, value="=4*5")
    buffer = BytesIO()
    wb.save(buffer)
    sheet = load_workbook(BytesIO(buffer.getvalue())).worksheets[-1]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert {c.value for c in cells} >= set(HOSTILE)
    assert all(c.data_type == "s" for c in cells), [(c.value, c.data_type) for c in cells]


def test_ledger_exports_templates_and_the_report_table_use_the_writer():
    """The writers the walk above keeps honest, named: if one of them moves, this says
    where to look."""
    import inspect

    from zhujian.domains.housing.draw import files
    from zhujian.imports import excel
    from zhujian.reports import render

    for module in (files, excel, render):
        assert "xlsx.workbook(" in inspect.getsource(module), module.__name__
