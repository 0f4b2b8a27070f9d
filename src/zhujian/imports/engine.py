"""Import a ledger from an .xlsx file: validate every cell, then upsert all or nothing.

One pass over the sheet (python-calamine, the fastest reader here), batches of rows:
each batch is parsed, checked against the user's scope and the model's own rules,
matched to existing records by the ledger's natural key, and written in bulk with their
audit history (new records by :func:`zhujian.imports.bulk.insert_with_history`, changed
ones by ``bulk_update_with_history``). The whole import runs in one
transaction; the first bad cell stops the writing (parsing goes on, to report every bad
cell) and the transaction is rolled back, so a refused file leaves the database as it
was. Records whose values are unchanged are not touched, so importing the same file
twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import (
    IntegrityError,
    OperationalError,
    connection,
    models,
    reset_queries,
    transaction,
)
from python_calamine import CalamineWorkbook
from simple_history.utils import bulk_update_with_history

from zhujian.core import audit, claims, codes, crypto, invariants, personal, scope, workflows
from zhujian.core.models import Transition, User, has_history
from zhujian.core.registry import Ledger
from zhujian.imports import csvfile, locking, reads
from zhujian.imports.bulk import insert_with_history
from zhujian.imports.columns import CellError, Column, build_columns, org_unit_lookup
from zhujian.imports.workbook import DATA_SHEET, WorkbookError, head_copy, inspect

BATCH_SIZE = 2000
# Bad cells reported before checking stops: enough to fix a file, bounded in memory and
# time whatever the file (a million bad rows must not make a million errors).
MAX_ERRORS = 1000
#: Rows an .xlsx import reads before it reads the file whole (see sheet_rows): a file
#: with at least one bad row in ten stops at the error cap within them.
HEAD_ROWS = 10 * MAX_ERRORS
CHANGE_REASON = "Excel导入"

Progress = Callable[[int, int], None]


@dataclass
class BadCell:
    sheet: str
    row: int  # 1-based, as Excel shows it
    column: str  # the header, e.g. "户主姓名"
    value: Any
    reason: str

    @property
    def column_letter(self) -> str:
        return ""

    def __str__(self) -> str:
        shown = "" if self.value in (None, "") else f"“{self.value}”"
        where = f"第{self.row}行" if self.row else "表头"
        return f"{self.sheet}!{where}【{self.column}】{shown}：{self.reason}"


@dataclass
class ImportResult:
    ledger: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[BadCell] = field(default_factory=list)
    dry_run: bool = False
    # Checking stopped at the error cap: the row it stopped after, and the rows left unchecked.
    stopped_at_row: int = 0
    unchecked_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def truncated_errors(self) -> bool:
        return bool(self.stopped_at_row)

    def summary(self) -> str:
        if self.errors:
            if self.stopped_at_row:
                rest = f"，其后约 {self.unchecked_rows} 行未检查" if self.unchecked_rows else ""
                return (
                    f"导入被拒绝：错误过多，已发现 {len(self.errors)} 处错误后在第"
                    f"{self.stopped_at_row}行停止检查{rest}。请按错误清单改正后重新导入；"
                    "未写入任何数据。"
                )
            return (
                f"导入被拒绝：共 {self.rows} 行，发现 {len(self.errors)} 处错误，未写入任何数据。"
            )
        verb = "校验通过（试运行，未写入）" if self.dry_run else "导入完成"
        return (
            f"{verb}：共 {self.rows} 行，新增 {self.created}，更新 {self.updated}，"
            f"未变化 {self.unchanged}。"
        )


class _Rollback(Exception):
    pass


Row = tuple[int, Sequence[Any]]  # (row number as Excel shows it, cell values)


def read_sheet(path: str | Path, name: str = DATA_SHEET) -> tuple[str, Iterator[Row], int, int]:
    """The sheet's name, its rows numbered as Excel numbers them, its height, and the
    0-based column of the first value (the reader drops empty leading columns)."""
    wb = CalamineWorkbook.from_path(str(path))
    names = wb.sheet_names
    name = name if name in names else names[0]
    sheet = wb.get_sheet_by_name(name)
    return name, enumerate(sheet.iter_rows(), start=1), sheet.height, sheet.start[1]


def _from_column(rows: Iterator[Row], first: int) -> Iterator[Row]:
    """Rows whose cells start at column A (the reader starts them at the first value)."""
    if not first:
        return rows
    pad = [None] * first
    return ((n, [*pad, *raw]) for n, raw in rows)


def sheet_rows(
    path: str | Path, errors: dict[tuple[int, int], str]
) -> tuple[str, Iterator[Row], int]:
    """The data sheet's name, its rows (numbered as Excel numbers them, cells from
    column A) and about how many there are; ``errors`` receives the sheet's Excel error
    cells (row, 0-based column) as the rows that hold them are reached.

    The first :data:`HEAD_ROWS` rows come from a copy of just those rows
    (:func:`zhujian.imports.workbook.head_copy`); the whole file is measured and read
    only when the import asks for the row after them. An import that stops at the error
    cap inside them never reads the rest. Raises :class:`WorkbookError`."""
    with tempfile.TemporaryDirectory(prefix="zhujian-head-") as tmp:
        head = Path(tmp) / "head.xlsx"
        head_shape = head_copy(path, head, HEAD_ROWS)
        if head_shape is None:  # the sheet ends within the head: read it as it is
            shape = inspect(path)
            name, rows, total, first = _read(path, shape.name)
            errors.update(shape.error_cells)
            return name, _from_column(rows, first), total
        name, rows, _, first = _read(head, head_shape.name)
        errors.update(head_shape.error_cells)

    def rest() -> Iterator[Row]:
        shape = inspect(path)
        _, tail, _, tail_first = _read(path, shape.name)
        errors.update({k: v for k, v in shape.error_cells.items() if k[0] > HEAD_ROWS})
        for number, raw in _from_column(tail, tail_first):
            if number > HEAD_ROWS:
                yield number, raw

    # The <dimension> tag's claim sizes the progress bar; a file without one (some writers
    # leave it out) is measured here, as every file was before the head copy.
    total = head_shape.claimed_rows or inspect(path).last_row
    return name, chain(_from_column(rows, first), rest()), total


def _read(path: str | Path, name: str) -> tuple[str, Iterator[Row], int, int]:
    try:
        return read_sheet(path, name)
    except MemoryError:
        raise  # not the file's fault: the job runner reports its memory limit
    except Exception as exc:  # calamine raises its own types for broken files
        raise WorkbookError(f"无法读取 Excel 文件：{exc}") from None


def import_file(
    ledger: Ledger,
    path: str | Path,
    user: User,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import an .xlsx (or .csv) file. The file is measured before it is read (see
    :mod:`zhujian.imports.workbook` and :mod:`zhujian.imports.csvfile`): a file the
    reader could not hold is refused. A real import (not a dry run) is recorded in the
    security audit log (``core.audit``), whether it succeeded or not."""
    result = _import_file(ledger, path, user, dry_run=dry_run, progress=progress)
    if not dry_run:
        if result.ok:
            what = f"导入{ledger.label}：新增 {result.created} 条、更新 {result.updated} 条"
        else:
            what = f"导入{ledger.label}失败：{len(result.errors)} 处错误，未写入任何数据"
        audit.record(
            audit.Kind.IMPORT, f"{what}（{Path(path).name}）", user=user, outcome=result.ok
        )
    return result


def _import_file(
    ledger: Ledger,
    path: str | Path,
    user: User,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    result = ImportResult(ledger.name, dry_run=dry_run)
    if csvfile.is_csv(path):
        return _import_csv(ledger, path, user, result, dry_run=dry_run, progress=progress)
    error_cells: dict[tuple[int, int], str] = {}
    try:
        sheet, rows, total = sheet_rows(path, error_cells)
    except WorkbookError as exc:
        result.errors.append(BadCell("", 0, "文件", Path(path).name, str(exc)))
        return result
    return import_rows(
        ledger,
        sheet,
        rows,
        user,
        total=total,
        dry_run=dry_run,
        progress=progress,
        error_cells=error_cells,
        numbered=True,
    )


def _import_csv(
    ledger: Ledger,
    path: str | Path,
    user: User,
    result: ImportResult,
    *,
    dry_run: bool,
    progress: Progress | None,
) -> ImportResult:
    try:
        sheet, rows, total = csvfile.read_csv(path)
        return import_rows(
            ledger,
            sheet,
            rows,
            user,
            total=total,
            dry_run=dry_run,
            progress=progress,
            numbered=True,
        )
    except csvfile.CsvRowError as exc:  # in the header: nothing was read, nothing written
        result.errors.append(BadCell(Path(path).name, exc.row, "整行", None, str(exc)))
    except WorkbookError as exc:
        result.errors.append(BadCell("", 0, "文件", Path(path).name, str(exc)))
    except (OSError, UnicodeError) as exc:
        result.errors.append(BadCell("", 0, "文件", Path(path).name, f"无法读取 CSV 文件：{exc}"))
    return result


def import_rows(
    ledger: Ledger,
    sheet: str,
    rows: Iterable[Any],
    user: User,
    *,
    total: int = 0,
    dry_run: bool = False,
    progress: Progress | None = None,
    error_cells: dict[tuple[int, int], str] | None = None,
    numbered: bool = False,
) -> ImportResult:
    """Import ``rows`` (the header row first) into ``ledger`` as ``user``.

    ``rows`` are cell lists, or (row number, cells) pairs when ``numbered``;
    ``error_cells`` maps (row number, column position) to an Excel error value such as
    ``#REF!`` (the reader gives those cells as blanks)."""
    result = ImportResult(ledger.name, dry_run=dry_run)
    if not scope.can_ledger(user, "add", ledger):
        result.errors.append(
            BadCell(
                sheet, 0, "权限", user.username, f"您没有编辑“{ledger.line_label}”业务条线的权限"
            )
        )
        return result
    units = org_unit_lookup(
        scope.org_units_for(user, "add").only("id", "code", "name", "kind", "path", "parent_id")
    )
    columns = build_columns(ledger, units, user)
    numbered_rows: Iterator[Row] = iter(rows) if numbered else enumerate(rows, start=1)
    header_row, header = next(
        ((n, raw) for n, raw in numbered_rows if any(v not in (None, "") for v in raw)),
        (0, None),
    )
    if header is None:
        result.errors.append(BadCell(sheet, 0, "表头", None, "文件是空的，缺少表头行"))
        return result
    positions = _match_header(columns, header, sheet, result, header_row)
    if result.errors:
        return result
    errors_at = _ErrorCells(error_cells if error_cells is not None else {}, columns, positions)
    writer = _Writer(ledger, user, result, {u.pk for u in units.values()})
    try:
        with (
            locking.import_lock(),
            reads.beside(ledger.model) as writer.side,
            transaction.atomic(),
        ):
            batch: list[tuple[int, dict[str, Any]]] = []
            ready: _Ready | None = None
            for index, raw in numbered_rows:
                if progress and index % 5000 == 0:
                    progress(index - header_row, max(total - header_row, 0))
                if all(v in (None, "") for v in raw) and not errors_at.in_row(index):
                    continue
                result.rows += 1
                values = _parse_row(columns, positions, raw, sheet, index, result, errors_at)
                if len(result.errors) >= MAX_ERRORS:
                    # Stop here, before the next row is even read (the reader may then
                    # never read the rest of the file; see sheet_rows).
                    result.stopped_at_row = index
                    result.unchecked_rows = max(total - index, 0)
                    break
                if values is None:
                    continue
                batch.append((index, values))
                if len(batch) >= BATCH_SIZE:
                    # Start this batch's look-up, write the previous one, then check this
                    # one: on PostgreSQL the look-up runs while the importer waits for the
                    # write before it, and the checks while the server writes (see _Writer).
                    looked = writer.start_lookup(batch, sheet)
                    if ready is not None:
                        writer.flush(ready)
                    ready = writer.build(writer.finish_lookup(looked))
                    batch = []
                    reset_queries()  # DEBUG keeps every query's SQL: bound it per batch
            if batch:
                looked = writer.start_lookup(batch, sheet)
                if ready is not None:
                    writer.flush(ready)
                ready = writer.build(writer.finish_lookup(looked))
            if ready is not None:
                writer.flush(ready)
            if not result.errors:
                # The legal rules over several records (core.invariants) of every anchor
                # the file touched, in this transaction, before it commits.
                writer.check_rules(sheet)
            if progress:
                done = max(total - header_row, result.rows)
                progress(done, done)
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except IntegrityError:
        # A conflict of new records written beside the checks (PostgreSQL): the whole
        # import is rolled back, and the rows of the batch being written are named.
        if writer.writing is None:
            raise
        result.errors.append(conflict(*writer.writing))
    except csvfile.CsvRowError as exc:  # a line the CSV reader could not split: roll back
        result.errors.append(BadCell(sheet, exc.row, "整行", None, str(exc)))
    except WorkbookError as exc:  # the rest of a workbook, read on demand, was refused
        result.errors.append(BadCell(sheet, 0, "文件", None, str(exc)))
    except locking.ImportBusy as exc:
        result.errors.append(BadCell(sheet, 0, "文件", None, str(exc)))
    except OperationalError as exc:
        if not locking.is_locked(exc):
            raise
        result.errors.append(BadCell(sheet, 0, "文件", None, locking.BUSY_MESSAGE))
    if result.errors:
        result.created = result.updated = result.unchanged = 0
    return result


def conflict(sheet: str, first: int, last: int) -> BadCell:
    """A uniqueness rule beyond the natural key (rare): name the rows, not the database."""
    return BadCell(
        sheet,
        first,
        "整行",
        None,
        f"第{first}—{last}行中有记录与已有记录冲突（违反唯一性规则），请检查这些行中应当唯一的项",
    )


class _ErrorCells:
    """Excel error values (#REF!, #N/A …) by row, mapped to the columns an import reads."""

    def __init__(
        self, cells: dict[tuple[int, int], str], columns: list[Column], positions: dict[str, int]
    ) -> None:
        self.header_of = {
            positions[c.field_name]: c.header for c in columns if c.field_name in positions
        }
        self.cells = cells  # grows when the reader reaches the rest of a workbook
        self.seen = -1
        self.by_row: dict[int, list[tuple[str, str]]] = {}

    def in_row(self, row: int) -> list[tuple[str, str]]:
        if len(self.cells) != self.seen:
            self.by_row = {}
            for (number, column), value in sorted(self.cells.items()):
                if column in self.header_of:
                    self.by_row.setdefault(number, []).append((self.header_of[column], value))
            self.seen = len(self.cells)
        return self.by_row.get(row, [])


def _match_header(
    columns: list[Column],
    header: Sequence[Any],
    sheet: str,
    result: ImportResult,
    header_row: int = 1,
) -> dict[str, int]:
    seen = {str(h).strip().rstrip("*＊").strip(): i for i, h in enumerate(header) if str(h).strip()}
    positions: dict[str, int] = {}
    for col in columns:
        if col.header in seen:
            positions[col.field_name] = seen[col.header]
        elif col.required:
            result.errors.append(BadCell(sheet, header_row, col.header, None, "缺少必填列"))
    known = {c.header for c in columns}
    for name in seen:
        if name not in known:
            result.errors.append(
                BadCell(
                    sheet, header_row, name[:50], None, "无法识别的列（请使用“下载模板”得到的表头）"
                )
            )
    return positions


def _parse_row(
    columns: list[Column],
    positions: dict[str, int],
    raw: Sequence[Any],
    sheet: str,
    row: int,
    result: ImportResult,
    errors_at: _ErrorCells | None = None,
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    ok = True
    width = len(raw)
    broken = {}
    if errors_at is not None:
        for header, value in errors_at.in_row(row):
            result.errors.append(
                BadCell(sheet, row, header, value, f"单元格是 Excel 错误值 {value}，请改为实际数值")
            )
            broken[header] = value
            ok = False
    for col in columns:
        if col.header in broken:
            continue
        pos = positions.get(col.field_name)
        cell = raw[pos] if pos is not None and pos < width else None
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            if col.required:
                result.errors.append(BadCell(sheet, row, col.header, None, "必填项不能为空"))
                ok = False
            continue
        try:
            values[col.field_name] = col.parse(cell)
        except CellError as exc:
            result.errors.append(BadCell(sheet, row, col.header, cell, str(exc)))
            ok = False
    return values if ok else None


def _key_part(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def _comparable(model_field: models.Field, value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, float):
        return Decimal(str(value)).normalize()
    if isinstance(value, dt.datetime):
        return value
    return value


# What a batch's look-up finds: existing records by natural key, and the ids among them
# the user may change.
_Found = tuple[dict[tuple[Any, ...], models.Model], set[Any]]


@dataclass
class _Looked:
    """A batch after step 1: rows keyed, new ones apart, changed ones with their records."""

    batch: list[tuple[int, dict[str, Any]]]
    sheet: str
    keyed: list[tuple[int, dict[str, Any], tuple[Any, ...]]] = field(default_factory=list)
    # The existing records by key and the ids of those the user may change: fetched at
    # once, or on PostgreSQL by the look-up thread (imports.reads.Side).
    found: Future[_Found] | None = None
    new: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    changed: list[tuple[int, dict[str, Any], list[str], Any]] = field(default_factory=list)
    whole: dict[Any, models.Model] = field(default_factory=dict)


@dataclass
class _Ready:
    """A batch after step 2: the records to create and to update, checked."""

    batch: list[tuple[int, dict[str, Any]]]
    sheet: str
    to_create: list[models.Model] = field(default_factory=list)
    to_update: list[models.Model] = field(default_factory=list)
    changed_fields: set[str] = field(default_factory=set)
    rows: dict[int, int] = field(default_factory=dict)  # id(record) → its row


class _Writer:
    """Matches a batch to existing records by natural key and writes the difference."""

    def __init__(
        self, ledger: Ledger, user: User, result: ImportResult, unit_ids: set[int]
    ) -> None:
        self.ledger = ledger
        self.user = user
        self.result = result
        self.unit_ids = unit_ids  # units the user may file records under
        # (sheet, first row, last row) of the batch whose new records PostgreSQL is writing
        self.writing: tuple[str, int, int] | None = None
        # A second connection for the look-ups, beside that write (see imports.reads).
        self.side: reads.Side | None = None
        self.model = ledger.model
        self.key = list(ledger.natural_key)
        # A per-township code (core.codes) is matched with the township the row's record
        # will lie in: another township's record with the same code is not this row's.
        self.township_key = bool(ledger.township_codes)
        self.typed_key = codes.key_fields(ledger)
        # County-wide codes the platform assigns: a township user never types one.
        self.assigned = [] if codes.types_codes(user) else list(ledger.assigned_codes)
        self.fields = list(ledger.excel_fields or ())
        self.seen: dict[tuple[Any, ...], int] = {}
        self.headers = {f: ledger.field_label(f) for f in self.fields}
        self.choice_labels: dict[str, dict[Any, str]] = {
            f.name: {code: str(label) for code, label in f.flatchoices}
            for f in self.model._meta.concrete_fields
            if f.choices
        }
        # Narrow the look-up of existing rows by the most selective key field.
        self.probe = next(
            (k for k in self.key if not self.ledger.field(k).is_relation), self.key[0]
        )
        self.lines = set(scope.editable_lines(user, ledger)) if ledger.line_field else set()
        self.reachable = scope.restrict(self.model._default_manager.all(), user, "change")
        self.attnames = {f: ledger.field(f).attname for f in self.fields}
        self.unit_from: str | None = getattr(self.model, "unit_from", None)
        self.personal = bool(personal.personal_fields(ledger))
        self.key_attnames = [ledger.field(k).attname for k in self.key]
        self.compared = {self.model._meta.pk.attname, *self.key_attnames, *self.attnames.values()}
        # Anchors of the legal rules this ledger's records take part in (core.invariants).
        self.ruled = bool(invariants.rules.reading(self.model))
        self.touched = invariants.Touched()
        self.workflow = workflows.registry.for_model(self.model)
        self.steps_of: dict[int, list[workflows.Step]] = {}  # id(record) → steps its row did

    def _header(self, name: str) -> str:
        """A field's column header, or its verbose name when the file has no such column;
        an error about the whole record (``__all__``) is about 整行."""
        if name in self.headers:
            return self.headers[name]
        try:
            return self.ledger.field_label(name)
        except FieldDoesNotExist:
            return "整行"

    def _shown(self, name: str, value: Any) -> Any:
        """A value as the clerk wrote it: a choice by its label (传统旱厕, not ``dry``),
        a linked record by its name, 是/否."""
        if value is None:
            return value
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, models.Model):
            return str(value)
        return self.choice_labels.get(name, {}).get(value, value)

    def _diff(self, obj: models.Model, values: dict[str, Any]) -> list[str]:
        """Names of the fields whose imported value differs from ``obj``'s."""
        diff = []
        for name, value in values.items():
            attname = self.attnames[name]
            current = getattr(obj, attname)
            if attname != name:  # a foreign key: compare ids, not instances
                value = value.pk if value is not None else None
            if value == current:
                continue
            field = self.ledger.field(name)
            if _comparable(field, value) != _comparable(field, current):
                diff.append(name)
        return diff

    def _key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(
            self._township_of(values) if k == codes.FIELD else _key_part(values.get(k))
            for k in self.key
        )

    def _township_of(self, values: dict[str, Any]) -> int | None:
        """The township of the record a row will write, as ``derive()`` will set it (the
        unit of its parent record, else its own unit), from the map of units in memory."""
        parent = values.get(self.unit_from) if self.unit_from else None
        if parent is not None:
            return codes.township_id(parent.org_unit_id)
        unit = values.get("org_unit")
        return codes.township_id(unit.pk) if unit is not None else None

    def write(self, batch: list[tuple[int, dict[str, Any]]], sheet: str) -> None:
        """Look up, check and write one batch (the three steps :func:`import_rows`
        interleaves across batches)."""
        self.flush(self.build(self.lookup(batch, sheet)))

    def lookup(self, batch: list[tuple[int, dict[str, Any]]], sheet: str) -> _Looked:
        """Step 1: :meth:`start_lookup` and :meth:`finish_lookup` together."""
        return self.finish_lookup(self.start_lookup(batch, sheet))

    def start_lookup(self, batch: list[tuple[int, dict[str, Any]]], sheet: str) -> _Looked:
        """Step 1a: the batch's rows keyed (a key repeated in the file, a line the user
        may not edit are refused), and the reads of their existing records started.

        It runs before the previous batch is written, so that on PostgreSQL the next
        batch's checks (step 2, pure Python) overlap that write instead of waiting for it.
        Where it can (``self.side``, see :mod:`imports.reads`) the reads run on a second
        connection, from a thread, while the import waits for that write. That is safe: a
        key that the previous batches create cannot occur here (duplicate keys in one
        file are refused by ``seen``)."""
        result = self.result
        looked = _Looked(batch, sheet)
        for row, values in batch:
            line_field = self.ledger.line_field
            if line_field and values.get(line_field) not in self.lines:
                result.errors.append(
                    BadCell(
                        sheet,
                        row,
                        self._header(line_field),
                        self._shown(line_field, values.get(line_field)),
                        "您没有编辑该业务条线记录的权限",
                    )
                )
                continue
            key = self._key(values)
            first = self.typed_key[0]
            if key in self.seen:
                same = "、".join(self.headers.get(k, k) for k in self.typed_key)
                where = "（同一乡镇内）" if self.township_key else ""
                result.errors.append(
                    BadCell(
                        sheet,
                        row,
                        self.headers.get(first, first),
                        self._shown(first, values.get(first)),
                        f"与第{self.seen[key]}行重复{where}（{same}相同）",
                    )
                )
                continue
            if not any(values.get(name) in (None, "") for name in self.assigned):
                self.seen[key] = row  # (rows leaving an assigned code blank are all new)
            looked.keyed.append((row, values, key))
        probe_values = {_key_part(v.get(self.probe)) for _, v, _ in looked.keyed}
        if self.side is None:
            looked.found = Future()
            looked.found.set_result(self._fetch(probe_values, None))
        else:
            looked.found = self.side.submit(partial(self._fetch, probe_values))
        return looked

    def _fetch(self, probe_values: set[Any], on: Any) -> _Found:
        """The existing records whose probe key is among ``probe_values``, and which of
        them the user may change, read through connection ``on`` (None: the import's)."""
        probe_field = self.ledger.field(self.probe)
        name = probe_field.attname if probe_field.is_relation else self.probe
        lookup = f"{name}__any_of"  # imports.bulk.AnyOf: one array parameter on PostgreSQL
        # Only what the comparison needs (no timestamps, no related rows): a re-import of a
        # county-scale file compares 300k records. Changed ones are reloaded whole later.
        existing: dict[tuple[Any, ...], models.Model] = {}
        candidates = self.model._default_manager.filter(**{lookup: probe_values})
        for obj in reads.records(candidates, self.compared, on):
            existing[tuple(_key_part(getattr(obj, a)) for a in self.key_attnames)] = obj
        reachable: set[Any] = set()
        if existing:
            mine = self.reachable.filter(pk__any_of=[o.pk for o in existing.values()])
            reachable = {pk for (pk,) in reads.rows(mine, ["pk"], on)}
        return existing, reachable

    def finish_lookup(self, looked: _Looked) -> _Looked:
        """Step 1b: the batch's rows matched to the records its reads found."""
        result, sheet = self.result, looked.sheet
        assert looked.found is not None
        existing, reachable_ids = looked.found.result()
        for row, values, key in looked.keyed:
            obj = existing.get(key)
            if self.personal and not self._unmasked(obj, values, row, sheet):
                continue
            assigned = [n for n in self.assigned if values.get(n) not in (None, "")]
            if assigned and (obj is None or obj.pk not in reachable_ids):
                # The same words for a free code and another township's (core.codes).
                for name in assigned:
                    label = self.ledger.field_label(name)
                    result.errors.append(
                        BadCell(
                            sheet,
                            row,
                            self.headers.get(name, name),
                            values.get(name),
                            codes.ASSIGNED_REFUSAL.format(label=label),
                        )
                    )
                continue
            if obj is None:
                looked.new.append((row, values))
                continue
            if obj.pk not in reachable_ids:
                # Say no more than that the key cannot be used: not whose record it is.
                result.errors.append(
                    BadCell(
                        sheet,
                        row,
                        self.headers.get(self.typed_key[0], self.typed_key[0]),
                        self._shown(self.typed_key[0], values.get(self.typed_key[0])),
                        "该记录不在您的管辖范围内，或其编号已被其他单位使用，不能导入",
                    )
                )
                continue
            diff = self._diff(obj, values)
            if not diff:
                result.unchanged += 1
                continue
            looked.changed.append((row, values, diff, obj.pk))
        if looked.changed:  # reload the changed records whole: history copies every field
            related = ["org_unit", *([self.unit_from] if self.unit_from else [])]
            looked.whole = self.model._default_manager.select_related(*related).in_bulk(
                [pk for *_, pk in looked.changed]
            )
        return looked

    def build(self, looked: _Looked) -> _Ready:
        """Step 2, in Python: the records as they will be written, each derived, checked by
        the model's rules and against the user's scope."""
        result, sheet = self.result, looked.sheet
        ready = _Ready(looked.batch, sheet)
        rows_of = ready.rows  # id(record) → its row, for rules across rows
        for row, values in looked.new:
            obj = self.model(**values)
            if self._clean(obj, row, sheet) and self._steps_ok(obj, None, row, sheet):
                ready.to_create.append(obj)
                rows_of[id(obj)] = row
        derived = {
            *getattr(self.model, "derived_fields", ()),
            *(["org_unit"] if self.unit_from else []),
            *([codes.FIELD] if self.township_key else []),
        }
        for row, values, diff, pk in looked.changed:
            obj = looked.whole[pk]
            if self.ruled:  # its anchors as stored: a change may move it to another one
                self.touched.add(obj, row=row)
            before = workflows.snapshot(obj) if self.workflow else None
            for name in diff:
                setattr(obj, name, values[name])
            if not (self._clean(obj, row, sheet) and self._steps_ok(obj, before, row, sheet)):
                continue
            ready.changed_fields.update(diff, derived, crypto.indexes_of(self.model, diff))
            ready.to_update.append(obj)
            rows_of[id(obj)] = row
        together = getattr(self.model, "clean_together", None)
        if together is not None and (ready.to_create or ready.to_update) and not result.errors:
            # Rules across the rows of one file (e.g. a running total against a cap):
            # ``Model.clean_together(records) -> {index: ValidationError}``.
            written = [*ready.to_create, *ready.to_update]
            for index, exc in together(written).items():
                self._report(exc, rows_of[id(written[index])], sheet, written[index])
        return ready

    def flush(self, ready: _Ready) -> None:
        """Step 3, the writes (on PostgreSQL, ``imports.bulk`` runs them beside the next
        batch's checks). Nothing is written once any cell was bad."""
        result = self.result
        to_create, to_update = ready.to_create, ready.to_update
        if result.errors or not (to_create or to_update):
            return  # nothing more will be kept; parse on to report every bad cell
        first, last = ready.batch[0][0], ready.batch[-1][0]
        if to_create and connection.vendor == "postgresql":
            # imports.bulk writes new records from a thread beside the next batch's checks;
            # a savepoint's release would wait for that write. A conflict surfaces at the
            # import's next statement instead, and import_rows names these rows.
            self.writing = (ready.sheet, first, last)
            insert_with_history(to_create, self.model, user=self.user, change_reason=CHANGE_REASON)
            to_create_written, to_create = to_create, []
        else:
            to_create_written = []
        try:
            # (Opening a savepoint is a statement too, and would wait for that write.)
            with transaction.atomic() if to_create or to_update else nullcontext():
                if to_create:
                    insert_with_history(
                        to_create, self.model, user=self.user, change_reason=CHANGE_REASON
                    )
                if to_update and not has_history(self.model):
                    self.model._default_manager.bulk_update(
                        to_update, sorted(ready.changed_fields), batch_size=500
                    )
                elif to_update:
                    bulk_update_with_history(
                        to_update,
                        self.model,
                        sorted(ready.changed_fields),
                        batch_size=500,
                        default_user=self.user,
                        default_change_reason=CHANGE_REASON,
                    )
        except IntegrityError:
            if to_create_written:
                raise  # maybe the threaded write's: the transaction is lost, import_rows reports
            result.errors.append(conflict(ready.sheet, first, last))
            return
        to_create = [*to_create_written, *to_create]
        if self.ruled:
            for obj in [*to_create, *to_update]:
                self.touched.add(obj, row=ready.rows[id(obj)])
        # A model that moves other records when its own are written (an inspection moves
        # its cylinder) does so here: imports write in bulk and never call ``save()``.
        after_import = getattr(self.model, "after_import", None)
        if after_import is not None:
            after_import([*to_create, *to_update], self.user)
        if self.workflow is not None:
            self._record_steps([*to_create, *to_update])
        result.created += len(to_create)
        result.updated += len(to_update)

    def check_rules(self, sheet: str) -> None:
        """Lock the anchors the import touched and check their rules; each breach is a bad
        cell at the row that wrote the record it names (else the first row that touched
        the anchor), in the column of the field it names."""
        if not self.touched:
            return
        for rule, anchor_pk, violation in invariants.check_anchors(self.touched):
            row = self.touched.row_for(rule, anchor_pk, violation) or 0
            record, name = violation.record, violation.field
            header = self._header(name) if name else "整行"
            value = (
                self._shown(name, getattr(record, name, None))
                if record is not None and name
                else None
            )
            self.result.errors.append(BadCell(sheet, row, header, value, rule.refusal(violation)))

    def _steps_ok(
        self, obj: models.Model, before: dict[str, Any] | None, row: int, sheet: str
    ) -> bool:
        """A row may fill or change a workflow's steps only as their actor would
        (``core.workflows``): the file is no way around the step screens."""
        if self.workflow is None:
            return True
        why = workflows.write_refusal(self.user, obj, before)
        if why:
            self.result.errors.append(BadCell(sheet, row, "整行", None, why))
            return False
        steps = workflows.changed_steps(obj, before)
        if steps:
            self.steps_of[id(obj)] = steps
        return True

    def _record_steps(self, written: list[models.Model]) -> None:
        """Each step a row did, as a transition of the importing account."""
        assert self.workflow is not None
        for obj in written:
            for step in self.steps_of.pop(id(obj), []):
                if obj.pk is None:
                    continue
                done = step.is_done(obj)
                action = Transition.Action.SUBMIT if done else Transition.Action.RETURN
                workflows.record(
                    obj, self.workflow, step, self.user, action, "", Transition.Via.IMPORT
                )

    def _unmasked(
        self, obj: models.Model | None, values: dict[str, Any], row: int, sheet: str
    ) -> bool:
        """A personal value exported masked and imported back keeps the stored value; any
        other masked value is refused (it would replace a real number by its mask)."""
        personal.restore_masked(self.ledger, obj, values)
        masked = personal.masked_values(self.ledger, values)
        for name in masked:
            self.result.errors.append(
                BadCell(
                    sheet,
                    row,
                    self._header(name),
                    self._shown(name, values[name]),
                    personal.MASKED_REFUSED,
                )
            )
        return not masked

    def _report(self, exc: ValidationError, row: int, sheet: str, obj: models.Model) -> None:
        """A model rule's refusal as bad cells, by column."""
        if hasattr(exc, "error_dict"):
            for name, errs in exc.error_dict.items():
                header = self._header(name)
                shown = self._shown(name, getattr(obj, name, None))
                for err in errs:
                    self.result.errors.append(
                        BadCell(sheet, row, header, shown, "；".join(err.messages))
                    )
        else:
            self.result.errors.append(BadCell(sheet, row, "整行", None, "；".join(exc.messages)))

    def _clean(self, obj: models.Model, row: int, sheet: str) -> bool:
        """Derive computed fields, run the model's own cross-field rules (``Model.clean``),
        then check the final record against the user's scope: whatever a linked record or
        a rule implied, a record outside the units and lines the user may change is
        refused. Reports by column."""
        derive = getattr(obj, "derive", None)
        if derive is not None:
            derive()
        try:
            obj.clean()
            corrections = claims.import_errors(obj)
            if corrections:
                raise ValidationError(corrections)
        except ValidationError as exc:
            self._report(exc, row, sheet, obj)
            return False
        if obj.org_unit_id not in self.unit_ids:
            self.result.errors.append(
                BadCell(
                    sheet,
                    row,
                    self.headers.get("org_unit", "所属单位"),
                    None,
                    "该记录将归属于您管辖范围以外的单位，不能导入",
                )
            )
            return False
        line_field = self.ledger.line_field
        if line_field and getattr(obj, line_field) not in self.lines:
            self.result.errors.append(
                BadCell(
                    sheet,
                    row,
                    self._header(line_field),
                    self._shown(line_field, getattr(obj, line_field)),
                    "您没有编辑该业务条线记录的权限",
                )
            )
            return False
        return True
