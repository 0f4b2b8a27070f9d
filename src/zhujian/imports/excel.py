"""Excel templates, exports and error reports for any registered ledger (openpyxl)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from django.db import models
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from zhujian.core import audit, codes, personal, scope, xlsx
from zhujian.core.models import OrgUnit, User
from zhujian.core.registry import Ledger
from zhujian.imports.columns import Column, build_columns, unit_labels
from zhujian.imports.engine import DATA_SHEET, BadCell

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FONT = Font(bold=True)
MAX_TEMPLATE_ROWS = 300_000


def write_template(ledger: Ledger, user: User, out: str | Path | IO[bytes]) -> None:
    """A blank workbook to fill in: headers, drop-down lists, instructions, unit codes."""
    units = list(scope.org_units_for(user, "add").order_by("path"))
    labels = unit_labels(units)
    columns = build_columns(ledger)
    wb = xlsx.workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    lists = wb.create_sheet("选项")
    xlsx.text_columns(ws, [i for i, c in enumerate(columns, start=1) if c.text])
    xlsx.text_columns(lists, range(1, len(columns) + 1))
    _write_header(ws, columns)
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        choices = col.choices
        unit_column = (
            col.field_name == "org_unit" or ledger.field(col.field_name).related_model is OrgUnit
        )
        if unit_column:
            # names, with the code alongside: "城关街道 幸福村（371399001001）"
            choices = [labels[u.pk] for u in units]
        if choices:
            for r, label in enumerate(choices, start=1):
                xlsx.put(lists, r, i, label)
            ref = f"{quote_sheetname(lists.title)}!${letter}$1:${letter}${len(choices)}"
            dv = DataValidation(
                type="list",
                formula1=ref,
                allow_blank=not col.required,
                showErrorMessage=True,
                errorTitle="输入无效",
                error=f"“{col.header}”请从下拉列表中选择",
            )
            if unit_column:
                # A typed name or code is accepted too (the importer checks it): Excel and
                # WPS only remark on it instead of refusing it.
                dv.errorStyle = "information"
                dv.errorTitle = "不在下拉列表中"
                dv.error = (
                    f"“{col.header}”也可填写单位名称、“乡镇 村”或12位区划代码，导入时逐一核对"
                )
            dv.add(f"{letter}2:{letter}{MAX_TEMPLATE_ROWS}")
            ws.add_data_validation(dv)
        if col.number_format:
            for row in range(2, 200):
                ws.cell(row=row, column=i).number_format = col.number_format
    lists.sheet_state = "hidden"
    _write_instructions(wb.create_sheet("填表说明"), ledger, columns)
    codes = wb.create_sheet("单位代码")
    xlsx.text_columns(codes, [1, 5])
    codes.append(["代码", "名称", "类别", "上级", "下拉列表中的写法"])
    by_pk = {u.pk: u for u in units}
    for u in units:
        parent = by_pk.get(u.parent_id)
        codes.append(
            xlsx.row(
                codes,
                [u.code, u.name, u.get_kind_display(), parent.name if parent else "", labels[u.pk]],
            )
        )
    codes.column_dimensions["A"].width = 16
    codes.column_dimensions["B"].width = 20
    codes.column_dimensions["E"].width = 36
    codes.freeze_panes = "A2"
    wb.save(out)


def _write_header(ws: Any, columns: list[Column]) -> None:
    for i, col in enumerate(columns, start=1):
        cell = xlsx.put(ws, 1, i, col.header)
        cell.font = REQUIRED_FONT if col.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = column_width(col)
    ws.freeze_panes = "A2"


def column_width(col: Column) -> int:
    """Wide enough for the header and for the column's usual values."""
    return min(max(12, len(col.header) * 2 + 4, col.width), 48)


def _write_instructions(ws: Any, ledger: Ledger, columns: list[Column]) -> None:
    ws.append([f"{ledger.label}（{ledger.line_label}）导入模板 填表说明"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["1. 在“数据”工作表第2行起逐行填写，每行一条记录；不要修改表头。"])
    ws.append(["2. 红色表头为必填列。带下拉列表的列请从列表中选择。日期写成 2022-05-01。"])
    ws.append(
        [
            f"3. 以“{'、'.join(ledger.field_label(k) for k in codes.key_fields(ledger))}”"
            f"{'（在记录所属乡镇内）' if ledger.township_codes else ''}识别同一条记录："
            "已存在则更新，不存在则新增；同一文件重复导入不会产生重复记录。"
        ]
    )
    ws.append(["4. 文件中任何一处错误都会使整个文件不被导入，并给出错误清单（行、列、值、原因）。"])
    texts = [c.header for c in columns if c.code_like]
    ws.append(
        [
            "5. “所属单位”等单位列请从下拉列表选择（如“城关街道 幸福村（371399001001）”），"
            "也可填写单位名称（重名时写“乡镇 村”）或12位区划代码；"
            "“单位代码”工作表列出您可以填报的单位。"
        ]
    )
    ws.append(
        [
            "6. 编号、证件号码、电话、银行卡号等列已设为“文本”格式"
            + (f"（本表：{'、'.join(texts)}）" if texts else "")
            + "，请不要改成“常规”或“数值”格式：Excel 会把 16 位以上的编号显示成 3.71399E+15"
            "并只保留 15 位有效数字。从其他表格粘贴时请用“选择性粘贴 → 值”（WPS：“粘贴为数值”），"
            "以保留文本格式；也可在数字前加英文单引号 '。"
        ]
    )
    ws.append(
        [
            "7. 请保存为 .xlsx 格式（Excel 2007 及以上、WPS 均可）；旧版 .xls 文件请先"
            "“另存为 → Excel 工作簿(*.xlsx)”。"
        ]
    )
    ws.append([])
    ws.append(["列名", "是否必填", "填写要求", "可选值"])
    for cell in ws[ws.max_row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for col in columns:
        ws.append(
            xlsx.row(
                ws,
                [col.header, "必填" if col.required else "选填", col.hint, "、".join(col.choices)],
            )
        )
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["C"].width = 44
    ws.column_dimensions["D"].width = 60
    xlsx.text_columns(ws, [4])


def export_rows(
    ledger: Ledger,
    queryset: models.QuerySet,
    out: str | Path | IO[bytes],
    *,
    viewer: personal.Viewer | None = None,
    unmask: bool = False,
) -> int:
    """Write ``queryset`` (already scoped) in the template's layout; returns the row count.

    With a ``viewer`` (every export a user asks for), personal fields are masked, except,
    when ``unmask``, those of the records the viewer may reveal, which are written in full
    and recorded (``core.personal``). Without one (internal callers), values are as stored.
    """
    columns = build_columns(ledger)
    secret = set(personal.personal_fields(ledger)) if viewer is not None else set()
    revealed: set[Any] = set()
    if secret and unmask:
        revealed = set(
            scope.revealable(viewer.user, ledger, queryset.order_by()).values_list("pk", flat=True)
        )
    shown: list[models.Model] = []
    wb = xlsx.workbook(write_only=True)
    ws = wb.create_sheet(DATA_SHEET)
    # Before the first row (a write-only sheet): widths, text columns, frozen header.
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column_width(col)
    xlsx.text_columns(ws, [i for i, c in enumerate(columns, start=1) if c.text])
    ws.freeze_panes = "A2"
    header = []
    for col in columns:
        cell = xlsx.protect(WriteOnlyCell(ws, value=col.header))
        cell.font = REQUIRED_FONT if col.required else HEADER_FONT
        cell.fill = HEADER_FILL
        header.append(cell)
    ws.append(header)
    related = [c.field_name for c in columns if ledger.field(c.field_name).is_relation]
    # a unit is written with its township: "城关街道 幸福村（371399001001）"
    related += [f"{n}__parent" for n in related if ledger.field(n).related_model is OrgUnit]
    count = 0
    for obj in queryset.select_related(*related).iterator(chunk_size=2000):
        row = []
        full = obj.pk in revealed
        if full:
            shown.append(obj)
            if len(shown) >= 2000:
                personal.record(viewer, ledger, shown)
                shown = []
        for col in columns:
            raw = getattr(obj, col.field_name)
            if col.field_name in secret and not full:
                raw = personal.mask(ledger, col.field_name, raw)
            value = col.format(raw)
            if col.number_format and value is not None and not col.text:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = col.number_format
                value = cell
            else:
                value = xlsx.value(ws, value)  # text is never written as a formula
            row.append(value)
        ws.append(row)
        count += 1
    if shown:
        personal.record(viewer, ledger, shown)
    wb.save(out)
    if viewer is not None:
        full = "，含完整个人信息" if revealed else ""
        audit.record(
            audit.Kind.EXPORT,
            f"导出{ledger.label} {count} 条（{personal.Source(viewer.source).label}{full}）",
            user=viewer.user,
            ip=viewer.ip,
            ledger=ledger.name,
        )
    return count


def write_error_report(errors: Iterable[BadCell], out: str | Path | IO[bytes]) -> None:
    wb = xlsx.workbook(write_only=True)
    ws = wb.create_sheet("错误清单")
    xlsx.text_columns(ws, [4])
    for letter, width in zip("ABCDE", (10, 8, 20, 24, 60), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.append(["工作表", "行号", "列名", "单元格的值", "错误原因"])
    for e in errors:
        ws.append(
            xlsx.row(
                ws,
                [e.sheet, e.row or "", e.column, "" if e.value is None else str(e.value), e.reason],
            )
        )
    wb.save(out)


#: The user's own file is marked only when it is small enough to load whole (openpyxl
#: keeps every cell in memory): bounded in cells and in uncompressed size.
MARK_MAX_CELLS = 300_000
MARK_MAX_BYTES = 100 << 20
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")  # Excel's own "bad" red
BAD_FONT = Font(color="9C0006")
COMMENT_AUTHOR = "住建综合管理平台"


def write_marked_copy(
    path: str | Path, errors: Iterable[BadCell], out: str | Path | IO[bytes]
) -> bool:
    """The user's own workbook with each bad cell filled red and a comment saying what is
    wrong (a row-wide error marks the row's cells, a header error the header cell).

    False, writing nothing, when the file cannot be marked: not an .xlsx, too large to
    load whole (see :data:`MARK_MAX_CELLS`), or not readable; the error list is then
    the only report."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.comments import Comment

    from zhujian.imports.workbook import WorkbookError, inspect

    errors = [e for e in errors if e.row]
    if not errors:
        return False
    try:
        shape = inspect(path)
    except WorkbookError:
        return False
    if shape.rows * max(shape.columns, 1) > MARK_MAX_CELLS:
        return False
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        if sum(i.file_size for i in infos) > MARK_MAX_BYTES:
            return False
        for info in infos:  # no entity tricks in a file that a full XML reader loads
            if info.filename.endswith((".xml", ".rels", ".vml")) and b"<!ENTITY" in archive.read(
                info
            ):
                return False
    try:
        wb = load_workbook(path, rich_text=False)
    except Exception:  # any reader failure: no marked copy, the error list stays
        return False
    ws = wb[shape.name] if shape.name in wb.sheetnames else wb.worksheets[0]
    header_row = shape.first_row or 1
    where: dict[str, int] = {}
    for cell in ws[header_row]:
        if cell.value not in (None, ""):
            where.setdefault(str(cell.value).strip().rstrip("*＊").strip(), cell.column)
    notes: dict[tuple[int, int], list[str]] = {}
    width = max(ws.max_column, 1)
    for e in errors:
        column = where.get(e.column)
        if column is not None:
            targets = [column]
        elif e.row == header_row:
            targets = [1]
        else:  # 整行 or a column the file lacks: the whole row
            targets = list(range(1, width + 1))
        label = e.column if e.column != "整行" else "本行"
        for column in targets:
            notes.setdefault((e.row, column), [])
        notes[(e.row, targets[0])].append(f"【{label}】{e.reason}")
    for (row, column), lines in notes.items():
        cell = ws.cell(row=row, column=column)
        cell.fill = BAD_FILL
        cell.font = BAD_FONT
        if lines:
            text = "\n".join(lines)[:2000]
            comment = Comment(text, COMMENT_AUTHOR)
            comment.width, comment.height = 300, min(60 + 20 * len(lines), 400)
            cell.comment = comment
    wb.active = wb.worksheets.index(ws)
    wb.save(out)
    return True
