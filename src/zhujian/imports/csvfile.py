"""Read a .csv file for an import, with the same bounds and error reporting as
:mod:`zhujian.imports.workbook` (gate devices and banks export CSV as often as Excel).

- The file is measured before it is read: at most ``MAX_BYTES`` bytes, ``workbook.MAX_ROWS``
  rows and ``workbook.MAX_COLUMNS`` columns, each cell at most ``MAX_CELL_CHARS``
  characters; a file past a bound is refused with a Chinese reason, nothing is written.
- Encoding: UTF-8 (with or without the BOM Excel writes) or, failing that, GB18030 (a
  superset of the GBK most Chinese devices write). The delimiter is the one of ``,``,
  ``;`` or tab that the header line uses most.
- Rows come numbered from 1 as a spreadsheet shows them (the header is row 1), cells as
  text (empty cells as ``None``); the ledger's columns parse them as they parse typed
  Excel cells. A broken line (a NUL byte, an unclosed quote) is reported with its row.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from zhujian.imports.workbook import MAX_COLUMNS, MAX_ROWS, WorkbookError

MAX_BYTES = 1 << 30  # 1 GiB: ~20 million attendance rows
MAX_CELL_CHARS = 10_000  # core.bounds' limit for text without a max_length
SNIFF_BYTES = 1 << 16
DELIMITERS = (",", ";", "\t")
CSV_SUFFIXES = (".csv",)


class CsvRowError(WorkbookError):
    """A line the reader cannot split (its row number is in ``row``)."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row


def is_csv(path: str | Path) -> bool:
    return str(path).lower().endswith(CSV_SUFFIXES)


def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def measure(path: str | Path) -> tuple[str, str, int]:
    """The file's encoding, delimiter and line count; raises :class:`WorkbookError`."""
    size = Path(path).stat().st_size
    if size > MAX_BYTES:
        raise WorkbookError(
            f"CSV 文件过大（{size / (1 << 20):.0f} MB），最大 {MAX_BYTES >> 20} MB，请分成几个文件导入"
        )
    lines = 0
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
        lines = head.count(b"\n")
        while chunk := fh.read(1 << 22):
            lines += chunk.count(b"\n")
            if lines > MAX_ROWS:
                break
    if lines > MAX_ROWS:
        raise WorkbookError(f"CSV 文件超过 {MAX_ROWS} 行，请分成几个文件导入")
    encoding = _encoding(head)
    first = head.decode(encoding, errors="replace").splitlines()[:1]
    return encoding, _delimiter(first[0] if first else ""), lines + 1


def read_csv(path: str | Path) -> tuple[str, Iterator[tuple[int, Sequence[Any]]], int]:
    """The sheet name shown in errors (the file's name), its rows numbered from 1, and
    about how many there are. Raises :class:`WorkbookError` for a file past the bounds;
    the row iterator raises :class:`CsvRowError` for a line it cannot read."""
    encoding, delimiter, total = measure(path)
    return Path(path).name, _rows(path, encoding, delimiter), total


def _rows(path: str | Path, encoding: str, delimiter: str) -> Iterator[tuple[int, Sequence[Any]]]:
    csv.field_size_limit(MAX_CELL_CHARS + 1)
    number = 0
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter, strict=False)
        while True:
            number += 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise CsvRowError(
                    number, f"第{number}行：文件编码无法识别（请另存为 UTF-8 或 GBK 编码的 CSV）"
                ) from None
            except csv.Error as exc:
                reason = (
                    "单元格过长"
                    if "field larger" in str(exc)
                    else "无法解析（含非法字符或引号未闭合）"
                )
                raise CsvRowError(number, f"第{number}行{reason}：请改正后重新导入") from None
            if len(row) > MAX_COLUMNS:
                raise CsvRowError(number, f"第{number}行超过 {MAX_COLUMNS} 列")
            yield number, [cell if cell.strip() else None for cell in row]
