"""Writing user text into .xlsx cells without it ever becoming a formula: the one writer.

openpyxl stores any string that starts with ``=`` as a live formula, and Excel evaluates
text that starts with ``+``, ``-``, ``@`` (or a tab/CR before one) as soon as someone
edits the cell. Every workbook Zhujian writes (ledger exports and templates, import error
lists, the report's figure table, the draw announcement) is made by :func:`workbook`,
whose sheets pass every value through :func:`value` / :func:`protect` — on ``append`` in
write-only mode, and over every cell at ``save`` otherwise — so no caller can forget it.
Such text is kept exactly as it is but stored as a text cell with Excel's "quote prefix"
style, so Excel shows and keeps it as text, and an export → import round trip gives back
the same string. ``tests/core/test_xlsx_writer.py`` fails when a module builds an openpyxl
``Workbook`` of its own.

Codes survive Excel and WPS too. A column a caller declares text (:func:`text_columns`:
household codes, ID, phone and bank-card numbers, every text field of a ledger) gets the
text number format ``@`` on the column (so what a clerk types in an empty row stays text)
and on every value written in it; any other string that Excel would turn into a number
when someone edits the cell (``3713990010010001``, ``001``) gets ``@`` as well. Without
it Excel shows a 16-digit code as ``3.71399E+15`` and keeps only 15 significant digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from copy import copy
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# First characters that make Excel (or LibreOffice) read a cell as a formula (OWASP's list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

#: Excel's text number format: a cell formatted so keeps what is typed as it is typed.
TEXT = "@"

# Text that Excel reads as a number when the cell is edited: digits with an optional
# sign, separators, decimals, exponent or percent sign.
_NUMBER_LIKE = re.compile(r"^\s*[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?\s*$")


def looks_numeric(value: Any) -> bool:
    """Is ``value`` text that Excel would turn into a number (``001``, ``3713990010010001``)?"""
    return isinstance(value, str) and bool(_NUMBER_LIKE.match(value))


def is_risky(value: Any) -> bool:
    """Is ``value`` text that a spreadsheet could take for a formula?"""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def protect(cell: Cell) -> Cell:
    """Make ``cell`` hold its text as text (no-op for other values); returns the cell."""
    if is_risky(cell.value):
        cell.data_type = "s"  # openpyxl made it "f" for a leading "="
        cell.quotePrefix = True
    elif looks_numeric(cell.value) and cell.number_format != TEXT:
        cell.number_format = TEXT
    return cell


def value(ws: Any, v: Any) -> Any:
    """``v`` ready for ``ws.append`` (write-only or not): risky text becomes a text cell,
    text that looks like a number a cell in the text format."""
    if isinstance(v, Cell):
        return protect(v)
    if is_risky(v):
        return protect(WriteOnlyCell(ws, value=v))
    if looks_numeric(v):
        return _text_cell(ws, v, _text_style(ws))
    return v


def text_columns(ws: Any, columns: Iterable[int]) -> None:
    """Declare the 1-based ``columns`` of ``ws`` text: the column's own format is ``@``
    (rows typed later in Excel or WPS are text) and so is every value written in them.
    A write-only sheet must be told before its first row."""
    marked = getattr(ws, "_zhujian_text", None)
    if marked is None:
        marked = ws._zhujian_text = set()
    for index in columns:
        marked.add(index)
        ws.column_dimensions[get_column_letter(index)].number_format = TEXT


def is_text_column(ws: Any, index: int) -> bool:
    return index in getattr(ws, "_zhujian_text", ())


def _text_style(ws: Any) -> Any:
    """The style array of a text-format cell of ``ws``'s workbook, made once per sheet."""
    style = getattr(ws, "_zhujian_text_style", None)
    if style is None:
        prototype = WriteOnlyCell(ws)
        prototype.number_format = TEXT
        style = ws._zhujian_text_style = prototype._style
    return style


def _text_cell(ws: Any, v: Any, style: Any) -> Any:
    """A cell holding ``v`` as text in the text format (``style`` from a prototype)."""
    if isinstance(v, Cell):
        v.number_format = TEXT
        return protect(v)
    cell = WriteOnlyCell(ws, value=v if isinstance(v, str) else str(v))
    cell._style = copy(style)
    if is_risky(cell.value):
        protect(cell)
    return cell


def row(ws: Any, values: list[Any]) -> list[Any]:
    """A whole row for ``ws.append`` with every value passed through :func:`value`."""
    return [value(ws, v) for v in values]


def put(ws: Any, row_idx: int, col_idx: int, v: Any) -> Cell:
    """``ws.cell(row_idx, col_idx, v)`` for an ordinary worksheet, protected."""
    return protect(ws.cell(row=row_idx, column=col_idx, value=v))


class _GuardedWriteOnlySheet(WriteOnlyWorksheet):
    """A write-only sheet whose rows are guarded as they are appended (streamed cells
    cannot be revisited at save time)."""

    def append(self, row: Any) -> None:
        text = getattr(self, "_zhujian_text", None)
        if not text:
            super().append([value(self, v) for v in row])
            return
        style = _text_style(self)
        super().append(
            [
                _text_cell(self, v, style) if i in text and v not in (None, "") else value(self, v)
                for i, v in enumerate(row, start=1)
            ]
        )


class _GuardedWorkbook(Workbook):
    def create_sheet(self, title: str | None = None, index: int | None = None) -> Any:
        if not self.write_only:
            return super().create_sheet(title, index)
        sheet = _GuardedWriteOnlySheet(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        return sheet

    def save(self, filename: Any) -> None:
        if not self.write_only:
            for sheet in self.worksheets:
                text = getattr(sheet, "_zhujian_text", ())
                for (_row, column), cell in sheet._cells.items():
                    if column in text:
                        cell.number_format = TEXT
                        if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                            cell.value = _plain_number(cell.value)
                    protect(cell)
        super().save(filename)


def _plain_number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def workbook(write_only: bool = False) -> Workbook:
    """A new openpyxl workbook whose every text value is stored as text: the only way
    Zhujian makes one."""
    return _GuardedWorkbook(write_only=write_only)
