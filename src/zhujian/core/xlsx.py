"""Writing user text into .xlsx cells without it ever becoming a formula.

openpyxl stores any string that starts with ``=`` as a live formula, and Excel evaluates
text that starts with ``+``, ``-``, ``@`` (or a tab/CR before one) as soon as someone
edits the cell. Every workbook Zhujian writes (ledger exports and templates, import error
lists, the report's figure table) passes its values through :func:`value` or
:func:`protect`, which keep such text exactly as it is but store it as a text cell with
Excel's "quote prefix" style, so Excel shows and keeps it as text, and an export → import
round trip gives back the same string.
"""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

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
    if not is_risky(v):
        return v
    return protect(WriteOnlyCell(ws, value=v))


def row(ws: Any, values: list[Any]) -> list[Any]:
    """A whole row for ``ws.append`` with every value passed through :func:`value`."""
    return [value(ws, v) for v in values]


def put(ws: Any, row_idx: int, col_idx: int, v: Any) -> Cell:
    """``ws.cell(row_idx, col_idx, v)`` for an ordinary worksheet, protected."""
    return protect(ws.cell(row=row_idx, column=col_idx, value=v))
