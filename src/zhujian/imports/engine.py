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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, reset_queries, transaction
from python_calamine import CalamineWorkbook
from simple_history.utils import bulk_update_with_history

from zhujian.core import scope
from zhujian.core.models import User
from zhujian.core.registry import Ledger
from zhujian.imports.bulk import insert_with_history
from zhujian.imports.columns import CellError, Column, build_columns, org_unit_lookup

DATA_SHEET = "数据"
BATCH_SIZE = 2000
MAX_ERRORS = 10_000
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
    truncated_errors: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            more = f"（仅列出前 {MAX_ERRORS} 处）" if self.truncated_errors else ""
            return f"导入被拒绝：共 {self.rows} 行，发现 {len(self.errors)} 处错误{more}，未写入任何数据。"
        verb = "校验通过（试运行，未写入）" if self.dry_run else "导入完成"
        return (
            f"{verb}：共 {self.rows} 行，新增 {self.created}，更新 {self.updated}，"
            f"未变化 {self.unchanged}。"
        )


class _Rollback(Exception):
    pass


def read_sheet(path: str | Path) -> tuple[str, Iterator[list[Any]], int]:
    """The data sheet's name, an iterator over its rows, and its height."""
    wb = CalamineWorkbook.from_path(str(path))
    names = wb.sheet_names
    name = DATA_SHEET if DATA_SHEET in names else names[0]
    sheet = wb.get_sheet_by_name(name)
    return name, iter(sheet.iter_rows()), sheet.total_height


def import_file(
    ledger: Ledger,
    path: str | Path,
    user: User,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    try:
        sheet, rows, total = read_sheet(path)
    except Exception as exc:  # calamine raises its own types for broken files
        result = ImportResult(ledger.name, dry_run=dry_run)
        result.errors.append(BadCell("", 0, "文件", Path(path).name, f"无法读取 Excel 文件：{exc}"))
        return result
    return import_rows(ledger, sheet, rows, user, total=total, dry_run=dry_run, progress=progress)


def import_rows(
    ledger: Ledger,
    sheet: str,
    rows: Iterable[Sequence[Any]],
    user: User,
    *,
    total: int = 0,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import ``rows`` (the header row first) into ``ledger`` as ``user``."""
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
    columns = build_columns(ledger, units)
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        result.errors.append(BadCell(sheet, 0, "表头", None, "文件是空的，缺少表头行"))
        return result
    positions = _match_header(columns, header, sheet, result)
    if result.errors:
        return result
    writer = _Writer(ledger, user, result)
    try:
        with transaction.atomic():
            batch: list[tuple[int, dict[str, Any]]] = []
            for index, raw in enumerate(rows, start=2):
                if progress and index % 5000 == 0:
                    progress(index - 1, max(total - 1, 0))
                if all(v in (None, "") for v in raw):
                    continue
                result.rows += 1
                values = _parse_row(columns, positions, raw, sheet, index, result)
                if values is None:
                    continue
                batch.append((index, values))
                if len(batch) >= BATCH_SIZE:
                    writer.write(batch, sheet)
                    batch = []
                    reset_queries()  # DEBUG keeps every query's SQL: bound it per batch
                if len(result.errors) >= MAX_ERRORS:
                    result.truncated_errors = True
                    break
            if batch:
                writer.write(batch, sheet)
            if progress:
                progress(max(total - 1, result.rows), max(total - 1, result.rows))
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        if result.errors:
            result.created = result.updated = result.unchanged = 0
    return result


def _match_header(
    columns: list[Column], header: Sequence[Any], sheet: str, result: ImportResult
) -> dict[str, int]:
    seen = {str(h).strip().rstrip("*＊").strip(): i for i, h in enumerate(header) if str(h).strip()}
    positions: dict[str, int] = {}
    for col in columns:
        if col.header in seen:
            positions[col.field_name] = seen[col.header]
        elif col.required:
            result.errors.append(BadCell(sheet, 1, col.header, None, "缺少必填列"))
    known = {c.header for c in columns}
    for name in seen:
        if name not in known:
            result.errors.append(
                BadCell(sheet, 1, name, None, "无法识别的列（请使用“下载模板”得到的表头）")
            )
    return positions


def _parse_row(
    columns: list[Column],
    positions: dict[str, int],
    raw: Sequence[Any],
    sheet: str,
    row: int,
    result: ImportResult,
) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    ok = True
    width = len(raw)
    for col in columns:
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


class _Writer:
    """Matches a batch to existing records by natural key and writes the difference."""

    def __init__(self, ledger: Ledger, user: User, result: ImportResult) -> None:
        self.ledger = ledger
        self.user = user
        self.result = result
        self.model = ledger.model
        self.key = list(ledger.natural_key)
        self.fields = list(ledger.excel_fields or ())
        self.seen: dict[tuple[Any, ...], int] = {}
        self.headers = {f: ledger.field_label(f) for f in self.fields}
        # Narrow the look-up of existing rows by the most selective key field.
        self.probe = next(
            (k for k in self.key if not self.ledger.field(k).is_relation), self.key[0]
        )
        self.lines = set(scope.editable_lines(user, ledger)) if ledger.line_field else set()
        self.reachable = scope.restrict(self.model._default_manager.all(), user, "change")
        self.attnames = {f: ledger.field(f).attname for f in self.fields}
        self.compared = sorted(
            {"pk", *(ledger.field(k).attname for k in self.key), *self.attnames.values()}
        )

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
        return tuple(_key_part(values.get(k)) for k in self.key)

    def write(self, batch: list[tuple[int, dict[str, Any]]], sheet: str) -> None:
        result = self.result
        keyed: list[tuple[int, dict[str, Any], tuple[Any, ...]]] = []
        for row, values in batch:
            line_field = self.ledger.line_field
            if line_field and values.get(line_field) not in self.lines:
                result.errors.append(
                    BadCell(
                        sheet,
                        row,
                        self.headers.get(line_field, line_field),
                        values.get(line_field),
                        "您没有编辑该业务条线记录的权限",
                    )
                )
                continue
            key = self._key(values)
            if key in self.seen:
                result.errors.append(
                    BadCell(
                        sheet,
                        row,
                        self.headers[self.key[0]],
                        values.get(self.key[0]),
                        f"与第{self.seen[key]}行重复（{'、'.join(self.headers[k] for k in self.key)}相同）",
                    )
                )
                continue
            self.seen[key] = row
            keyed.append((row, values, key))
        probe_field = self.ledger.field(self.probe)
        probe_values = {_key_part(v.get(self.probe)) for _, v, _ in keyed}
        lookup = f"{probe_field.attname}__in" if probe_field.is_relation else f"{self.probe}__in"
        existing: dict[tuple[Any, ...], models.Model] = {}
        # Only what the comparison needs (no timestamps, no related rows): a re-import of a
        # county-scale file compares 300k records. Changed ones are reloaded whole below.
        for obj in self.model._default_manager.filter(**{lookup: probe_values}).only(
            *self.compared
        ):
            existing[
                tuple(_key_part(getattr(obj, self.ledger.field(k).attname)) for k in self.key)
            ] = obj
        reachable_ids: set[int] | None = None
        to_create: list[models.Model] = []
        to_update: list[models.Model] = []
        changed: list[tuple[int, dict[str, Any], list[str], Any]] = []
        changed_fields: set[str] = set()
        for row, values, key in keyed:
            obj = existing.get(key)
            if obj is None:
                obj = self.model(**values)
                if not self._clean(obj, row, sheet):
                    continue
                to_create.append(obj)
                continue
            if reachable_ids is None:
                reachable_ids = set(
                    self.reachable.filter(pk__in=[o.pk for o in existing.values()]).values_list(
                        "pk", flat=True
                    )
                )
            if obj.pk not in reachable_ids:
                result.errors.append(
                    BadCell(
                        sheet,
                        row,
                        self.headers[self.key[0]],
                        values.get(self.key[0]),
                        "该记录属于您管辖范围以外的单位，不能修改",
                    )
                )
                continue
            diff = self._diff(obj, values)
            if not diff:
                result.unchanged += 1
                continue
            changed.append((row, values, diff, obj.pk))
        if changed:  # reload the changed records whole: history copies every field
            whole = self.model._default_manager.select_related("org_unit").in_bulk(
                [pk for *_, pk in changed]
            )
            for row, values, diff, pk in changed:
                obj = whole[pk]
                for name in diff:
                    setattr(obj, name, values[name])
                if not self._clean(obj, row, sheet):
                    continue
                changed_fields.update(diff)
                to_update.append(obj)
        if result.errors:
            return  # nothing more will be kept; parse on to report every bad cell
        if to_create:
            insert_with_history(to_create, self.model, user=self.user, change_reason=CHANGE_REASON)
            result.created += len(to_create)
        if to_update:
            bulk_update_with_history(
                to_update,
                self.model,
                sorted(changed_fields),
                batch_size=500,
                default_user=self.user,
                default_change_reason=CHANGE_REASON,
            )
            result.updated += len(to_update)

    def _clean(self, obj: models.Model, row: int, sheet: str) -> bool:
        """Run the model's own cross-field rules (``Model.clean``); report by column."""
        try:
            obj.clean()
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errs in exc.error_dict.items():
                    header = self.headers.get(name, name)
                    for err in errs:
                        self.result.errors.append(
                            BadCell(
                                sheet,
                                row,
                                header,
                                getattr(obj, name, None),
                                "；".join(err.messages),
                            )
                        )
            else:
                self.result.errors.append(
                    BadCell(sheet, row, "整行", None, "；".join(exc.messages))
                )
            return False
        return True
