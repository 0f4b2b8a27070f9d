"""Look at an uploaded .xlsx before the reader does: size, shape and error cells.

python-calamine reads a sheet into one dense block spanning every cell that holds a
value, so a 2 KB file with one value in A1 and one in XFD1048576 asks for hundreds of
GiB and aborts the process. Nothing in the file's ``<dimension>`` tag can be trusted
(calamine ignores it too). This module streams the sheet's XML once, with bounded memory,
and finds

- the block the reader will allocate (first to last row and column holding a value),
- Excel error values (``#REF!``, ``#DIV/0!``, ``#N/A`` …), which the reader turns into
  empty cells: an import must report them as bad cells, not read them as blanks,
- members whose uncompressed size would exhaust memory (zip bombs),

and refuses the file with a Chinese message before the reader sees it.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.etree import ElementTree

DATA_SHEET = "数据"

MAX_ROWS = 1_048_576  # Excel's own limit
MAX_COLUMNS = 1_000
MAX_CELLS = 20_000_000  # rows × columns of the block the reader allocates (~0.6 GB)
MAX_MEMBER_BYTES = 1 << 30  # one uncompressed part of the file
MAX_TOTAL_BYTES = 2 << 30  # all parts together
MAX_MEMBERS = 10_000
MAX_ERROR_CELLS = 10_000
CHUNK = 1 << 22

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

# A row start, or one whole cell (self-closing, or up to its end tag). Cell text is
# escaped XML, so "</c>" cannot occur inside it. Tags may carry a namespace prefix.
_TOKEN = re.compile(rb"<(?:\w+:)?row\b([^>]*)>|<(?:\w+:)?c\b([^>]*?)(/>|>(.*?)</(?:\w+:)?c>)", re.S)
_ROW_END_BEFORE = re.compile(rb"</(?:\w+:)?$")
_ATTR_R = re.compile(rb'\br\s*=\s*"([^"]*)"')
_ATTR_T = re.compile(rb'\bt\s*=\s*"([^"]*)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_CELL_REF = re.compile(rb"^([A-Z]{1,3})(\d{1,7})$")
_REF_LETTERS = re.compile(rb'<c r="([A-Z]{1,3})\d{1,7}"')
_REF_ROWS = re.compile(rb'<c r="[A-Z]{1,3}(\d{1,7})"')
_ROW_START = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref\s*=\s*"[A-Z]*\d*:?[A-Z]{1,3}(\d{1,7})"')
_EMPTY_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<sheetData/></worksheet>"
)
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>]*?\bt="e"[^>]*>(?:(?!</c>).)*?<v>([^<]*)</v>', re.S
)


#: An Excel 97-2003 workbook (.xls, WPS .et) is an OLE compound file with this signature.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OLD_EXCEL_SUFFIXES = (".xls", ".et", ".ett", ".xlt")
XLS_ADVICE = (
    "这是旧版 Excel 97-2003 格式（.xls）的文件，系统只能读取 .xlsx 格式。请在 Excel 中打开它，"
    "选择“文件 → 另存为”，“保存类型”选“Excel 工作簿(*.xlsx)”；WPS 中选择“文件 → 另存为”，"
    "文件类型选“Microsoft Excel 文件(*.xlsx)”。保存后上传新的 .xlsx 文件。"
)


def is_old_excel(path: str | Path) -> bool:
    """Is the file an Excel 97-2003 workbook, whatever its name says?"""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(OLE_SIGNATURE)) == OLE_SIGNATURE
    except OSError:
        return False


def _not_xlsx(path: str | Path) -> WorkbookError:
    if is_old_excel(path):
        return WorkbookError(XLS_ADVICE)
    return WorkbookError("不是 .xlsx 文件（请使用 Excel 2007 及以上版本的 .xlsx 格式）")


class WorkbookError(ValueError):
    """The file cannot be imported; the message says why, in Chinese."""


@dataclass
class SheetShape:
    name: str
    first_row: int = 0  # 1-based, 0: no value at all
    last_row: int = 0
    first_column: int = 0  # 0-based
    last_column: int = -1
    # (row as Excel shows it, 0-based column) → the error value, e.g. "#REF!"
    error_cells: dict[tuple[int, int], str] = field(default_factory=dict)
    more_error_cells: int = 0
    # What the sheet's <dimension> tag claims its last row is (untrusted: a hint for
    # progress and messages, never for a bound).
    claimed_rows: int = 0

    @property
    def rows(self) -> int:
        return self.last_row - self.first_row + 1 if self.last_row else 0

    @property
    def columns(self) -> int:
        return self.last_column - self.first_column + 1 if self.last_column >= 0 else 0


def inspect(path: str | Path, prefer: str = DATA_SHEET) -> SheetShape:
    """Check the file and measure the sheet an import will read (``prefer``, else the
    first); raises :class:`WorkbookError` when it must not be read."""
    with _reading():
        if not zipfile.is_zipfile(path):
            raise _not_xlsx(path)
        with zipfile.ZipFile(path) as archive:
            _check_members(archive)
            name, member = _data_sheet(archive, prefer)
            return _measure(archive, member, name)


def head_copy(
    path: str | Path, out: str | Path, rows: int, prefer: str = DATA_SHEET
) -> SheetShape | None:
    """Write to ``out`` a copy of the workbook whose data sheet keeps only its rows up to
    row ``rows``, reading the sheet no further than that; return the copy's shape. None
    when the sheet has no row past ``rows`` (the file is read as it is).

    python-calamine can only read a sheet whole (hundreds of MB for a million rows), so
    an import reads this copy first and the whole file only when it gets past it: a file
    whose rows are mostly bad stops at the error cap without being read whole."""
    with _reading():
        if not zipfile.is_zipfile(path):
            raise _not_xlsx(path)
        with zipfile.ZipFile(path) as archive:
            _check_members(archive)
            name, member = _data_sheet(archive, prefer)
            cut = _head(archive, member, name, rows)
            if cut is None:
                return None
            kept, shape = cut
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
                for info in archive.infolist():
                    if info.filename == member:
                        copy.writestr(member, kept)
                    elif info.filename.startswith("xl/worksheets/") and info.filename.endswith(
                        ".xml"
                    ):
                        copy.writestr(info.filename, _EMPTY_SHEET)  # other sheets: not read
                    else:
                        with archive.open(info) as src, copy.open(info.filename, "w") as dst:
                            while block := src.read(CHUNK):
                                dst.write(block)
            return shape


def _head(
    archive: zipfile.ZipFile, member: str, name: str, rows: int
) -> tuple[bytes, SheetShape] | None:
    """The sheet's XML up to (not including) its first row past ``rows``, closed, and its
    shape; None when there is no such row."""
    shape = SheetShape(name)
    state = [0, -1]
    kept = bytearray()
    pending = b""
    row = 0
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(CHUNK)
            data = pending + chunk
            if chunk:
                end = _last_row_end(data)
                if end < 0:
                    if len(data) > 64 * CHUNK:
                        raise WorkbookError("工作表结构异常（单行数据过大），不能导入")
                    pending = data
                    continue
                pending = data[end:]
                data = data[:end]
            cut = -1
            for found in _ROW_START.finditer(data):
                ref = _ATTR_R.search(found[1])
                row = int(ref[1]) if ref and ref[1].isdigit() else row + 1
                if row > rows:
                    cut = found.start()
                    break
            part = data if cut < 0 else data[:cut]
            if not _scan_fast(part, shape):
                _scan_careful(part, shape, state)
            kept += part
            if cut >= 0:
                opening = _SHEET_DATA.search(kept)
                if opening is None:
                    return None  # no sheetData before the rows: read the file as it is
                prefix = opening[1] or b""
                kept += b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
                claimed = _DIMENSION.search(kept)
                shape.claimed_rows = min(int(claimed[1]), MAX_ROWS) if claimed else 0
                return bytes(kept), shape
            if not chunk:
                return None


class _reading:
    """Turn what a broken or hostile file makes the zip and XML readers raise into a
    :class:`WorkbookError` with a Chinese message."""

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: object
    ) -> bool:
        if exc is None or isinstance(exc, WorkbookError):
            return False
        broken = (zipfile.BadZipFile, ElementTree.ParseError, KeyError, OSError, EOFError)
        if isinstance(exc, broken):
            raise WorkbookError(
                f"文件已损坏或不是有效的 .xlsx 文件（{type(exc).__name__}）"
            ) from None
        if isinstance(exc, (RuntimeError, NotImplementedError)):  # encrypted, exotic
            raise WorkbookError(f"无法读取该 .xlsx 文件：{exc}") from None
        return False


def _check_members(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise WorkbookError("文件结构异常（部件过多），不能导入")
    total = 0
    for info in infos:
        if info.file_size > MAX_MEMBER_BYTES:
            raise WorkbookError(
                f"文件解压后过大（{info.filename} 超过 {MAX_MEMBER_BYTES >> 20} MB），不能导入"
            )
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise WorkbookError(f"文件解压后过大（超过 {MAX_TOTAL_BYTES >> 20} MB），不能导入")


def _data_sheet(archive: zipfile.ZipFile, prefer: str) -> tuple[str, str]:
    """The name and zip member of the sheet an import reads."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = [
        (s.get("name", ""), s.get(f"{{{_NS_REL}}}id", ""))
        for s in workbook.iter(f"{{{_NS_MAIN}}}sheet")
    ]
    if not sheets:
        raise WorkbookError("文件中没有工作表")
    name, rel_id = next(((n, r) for n, r in sheets if n == prefer), sheets[0])
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{{{_NS_PKG_REL}}}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            member = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
            archive.getinfo(member)  # KeyError: broken file
            return name, member
    raise WorkbookError(f"工作表“{name}”在文件中找不到")


def _last_row_end(data: bytes) -> int:
    """The offset just after the last ``</row>`` (or ``</x:row>``) in ``data``, else -1."""
    at = data.rfind(b"row>")
    while at != -1:
        if _ROW_END_BEFORE.search(data, max(0, at - 24), at):
            return at + 4
        at = data.rfind(b"row>", 0, at)
    return -1


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _measure(archive: zipfile.ZipFile, member: str, name: str) -> SheetShape:
    shape = SheetShape(name)
    state = [0, -1]  # the careful scan's current row and column
    pending = b""
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(CHUNK)
            data = pending + chunk
            if chunk:
                # Scan up to the last complete row; keep the rest for the next chunk.
                end = _last_row_end(data)
                if end < 0:
                    if len(data) > 64 * CHUNK:
                        raise WorkbookError("工作表结构异常（单行数据过大），不能导入")
                    pending = data
                    continue
                pending = data[end:]
                data = data[:end]
            if not _scan_fast(data, shape):
                _scan_careful(data, shape, state)
            if not chunk:
                break
    return shape


def _scan_fast(data: bytes, shape: SheetShape) -> bool:
    """Measure rows written the usual way (every cell tag starts ``<c r="A1"``) with
    whole-chunk regular expressions, no Python work per cell. Cells without a value are
    counted too; when that would refuse the file, or the tags are unusual, it returns
    False and the careful scan measures the chunk."""
    cells = data.count(b"<c ") + data.count(b"<c>")
    if not cells:
        return not _TOKEN.search(data)  # nothing here, unless tags carry a prefix
    letters = _REF_LETTERS.findall(data)
    if len(letters) != cells:
        return False
    rows = {int(n) for n in set(_REF_ROWS.findall(data))}
    columns = [_column_index(x) for x in set(letters)]
    trial = replace(shape, error_cells={})
    try:
        _note(trial, min(rows), min(columns))
        _note(trial, max(rows), max(columns))
    except WorkbookError:
        return False  # maybe only empty cells lie far out: let the careful scan decide
    shape.first_row, shape.last_row = trial.first_row, trial.last_row
    shape.first_column, shape.last_column = trial.first_column, trial.last_column
    if b't="e"' in data:
        for letters_, digits, value in _ERROR_CELL.findall(data):
            _error(shape, int(digits), _column_index(letters_), value)
    return True


def _scan_careful(data: bytes, shape: SheetShape, state: list[int]) -> None:
    """Tag by tag, as the reader places cells: rows and cells without an ``r`` follow
    the previous one; cells without a value take no room."""
    row, column = state
    for token in _TOKEN.finditer(data):
        row_attrs, cell_attrs, cell_end, content = token.groups()
        if row_attrs is not None:
            found = _ATTR_R.search(row_attrs)
            row = int(found[1]) if found and found[1].isdigit() else row + 1
            column = -1
            continue
        ref = _ATTR_R.search(cell_attrs)
        if ref and (m := _CELL_REF.match(ref[1])):
            column = _column_index(m[1])
            row = int(m[2])
        else:
            column += 1
        if cell_end == b"/>" or not content or not content.strip():
            continue
        _note(shape, row, column)
        kind = _ATTR_T.search(cell_attrs)
        if kind and kind[1] == b"e":
            value = _VALUE.search(content)
            _error(shape, row, column, value[1] if value else b"#ERROR")
    state[:] = [row, column]


def _error(shape: SheetShape, row: int, column: int, value: bytes) -> None:
    if len(shape.error_cells) < MAX_ERROR_CELLS:
        shape.error_cells[(row, column)] = value.decode("utf-8", "replace")[:20]
    else:
        shape.more_error_cells += 1


def _note(shape: SheetShape, row: int, column: int) -> None:
    if row > MAX_ROWS or column >= MAX_COLUMNS or row < 1:
        raise WorkbookError(
            f"工作表“{shape.name}”第{row}行第{column + 1}列有数据，超出导入范围"
            f"（最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列）；请删除多余的行和列后再导入"
        )
    if not shape.first_row or row < shape.first_row:
        shape.first_row = row
    shape.last_row = max(shape.last_row, row)
    if shape.last_column < 0 or column < shape.first_column:
        shape.first_column = column
    shape.last_column = max(shape.last_column, column)
    if shape.rows * shape.columns > MAX_CELLS:
        raise WorkbookError(
            f"工作表“{shape.name}”的数据区域过大（{shape.rows} 行 × {shape.columns} 列，"
            f"最多 {MAX_CELLS} 个单元格）；请删除远处多余的单元格内容，或把文件拆成几份导入"
        )
