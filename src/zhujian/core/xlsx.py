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
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# First characters that make Excel (or LibreOffice) read a cell as a formula (OWASP's list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_risky(value: Any) -> bool:
    """Is ``value`` text that a spreadsheet could take for a formula?"""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def protect(cell: Cell) -> Cell:
    """Make ``cell`` hold its text as text (no-op for other values); returns the cell."""
    if is_risky(cell.value):
        cell.data_type = "s"  # openpyxl made it "f" for a leading "="
        cell.quotePrefix = True
    return cell


def value(ws: Any, v: Any) -> Any:
    """``v`` ready for ``ws.append`` (write-only or not): risky text becomes a text cell."""
    if isinstance(v, Cell):
        return protect(v)
    if not is_risky(v):
        return v
    return protect(WriteOnlyCell(ws, value=v))


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
        super().append([value(self, v) for v in row])


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
                for cell in sheet._cells.values():
                    protect(cell)
        super().save(filename)


def workbook(write_only: bool = False) -> Workbook:
    """A new openpyxl workbook whose every text value is stored as text: the only way
    Zhujian makes one."""
    return _GuardedWorkbook(write_only=write_only)
