"""The published round file (JSON) and Excel announcement, and their verification.

Both files are self-contained: the frozen list, its digest, the public inputs, the seed and
the result. :func:`verify` recomputes everything from a file and a seed and says what, if
anything, does not match — it needs no database, so the command line, the public page and
anyone with the algorithm can run it.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from zhujian.core import bounds, xlsx
from zhujian.domains.housing.draw import algorithm as alg
from zhujian.domains.housing.draw.algorithm import DrawError
from zhujian.imports import workbook

FILE_FORMAT = "zhujian-draw/1"
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_INPUTS = 1000  # public inputs of one round
MAX_ROWS = 250_000  # households plus units (the command line; the public page has its own)


@dataclass
class RoundFile:
    """Everything published about one round."""

    list: dict[str, Any]
    list_sha256: str
    inputs: list[dict[str, Any]] = field(default_factory=list)  # seq, by, value, at
    seed: str | None = None
    assignment: list[dict[str, Any]] | None = None
    beacon_value: str = ""  # the declared lottery draw's numbers (version 2)
    drawn_on: str | None = None
    signed_by: str = ""
    supervisors: str = ""
    redraw_of: str | None = None
    redraw_reason: str = ""

    @property
    def round(self) -> dict[str, Any]:
        return self.list.get("round", {})

    @cached_property
    def _households(self) -> dict[Any, dict[str, Any]]:
        return {h.get("seq"): h for h in self.list.get("households", [])}

    @cached_property
    def _units(self) -> dict[Any, dict[str, Any]]:
        return {u.get("seq"): u for u in self.list.get("units", [])}

    def household(self, seq: int | None) -> dict[str, Any]:
        return self._households.get(seq, {})

    def unit(self, seq: int | None) -> dict[str, Any]:
        return self._units.get(seq, {})

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FILE_FORMAT,
            "list": self.list,
            "list_sha256": self.list_sha256,
            "inputs": self.inputs,
            "seed": self.seed,
            "assignment": self.assignment,
            "beacon_value": self.beacon_value,
            "drawn_on": self.drawn_on,
            "signed_by": self.signed_by,
            "supervisors": self.supervisors,
            "redraw_of": self.redraw_of,
            "redraw_reason": self.redraw_reason,
        }


def from_round(round: Any) -> RoundFile:
    """The file of a round as stored (a draft round: its current list, not yet published)."""
    from zhujian.domains.housing.draw.service import published_list

    document = published_list(round)
    inputs = [
        {"seq": i.seq, "by": i.entered_by, "value": i.value, "at": beijing(i.entered_at)}
        for i in round.inputs.order_by("seq")
    ]
    assignment = None
    if round.seed:
        assignment = [
            {"group": group, "position": position, "household": household, "unit": unit}
            for group, position, household, unit in round.results.values_list(
                "group", "position", "household__seq", "unit__seq"
            )
        ]
        assignment.sort(key=_allotment_order(document))
    return RoundFile(
        list=document,
        list_sha256=round.list_sha256 or alg.list_digest(document),
        inputs=inputs,
        seed=round.seed or None,
        assignment=assignment,
        beacon_value=round.beacon_value,
        drawn_on=round.drawn_on.isoformat() if round.drawn_on else None,
        signed_by=round.signed_by,
        supervisors=round.supervisors,
        redraw_of=round.redraw_of.code if round.redraw_of_id else None,
        redraw_reason=round.redraw_reason,
    )


def beijing(when: Any) -> str:
    """A stored moment as Beijing time, ``2022-05-20 09:30:00（北京时间）``: the database
    keeps UTC, and an announcement showing 01:30 misleads every reader."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    if when is None:
        return ""
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_default_timezone())
    return when.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M:%S（北京时间）")


def _allotment_order(document: dict[str, Any]) -> Any:
    """The algorithm's own output order: groups by code point, positions, then leftovers."""

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        return (row["group"], row["position"] is None, row["position"] or 0, row["unit"] or 0)

    return key


# --- JSON ---------------------------------------------------------------------------------


def to_json(rf: RoundFile) -> bytes:
    return json.dumps(rf.as_dict(), ensure_ascii=False, indent=1).encode("utf-8")


def from_json(data: bytes, max_rows: int = MAX_ROWS) -> RoundFile:
    try:
        doc = bounds.load_json(data.decode("utf-8"))
    except ValueError as exc:  # invalid UTF-8 or JSON, or nested too deep
        raise DrawError(f"不是有效的摇号文件（JSON 无法解析：{exc}）") from None
    if not isinstance(doc, dict) or doc.get("format") != FILE_FORMAT:
        raise DrawError(f"不是摇号文件（format 应为 {FILE_FORMAT}）")
    if not isinstance(doc.get("list"), dict) or not isinstance(doc.get("list_sha256"), str):
        raise DrawError("摇号文件缺少名单或名单摘要")
    inputs = doc.get("inputs") or []
    assignment = doc.get("assignment")
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise DrawError("摇号文件的公开输入格式不正确")
    if assignment is not None and (
        not isinstance(assignment, list) or not all(isinstance(a, dict) for a in assignment)
    ):
        raise DrawError("摇号文件的摇号结果格式不正确")
    _check_shape(doc, inputs, assignment, max_rows)
    return RoundFile(
        list=doc["list"],
        list_sha256=doc["list_sha256"],
        inputs=inputs,
        seed=doc.get("seed"),
        assignment=assignment,
        beacon_value=str(doc.get("beacon_value") or ""),
        drawn_on=doc.get("drawn_on"),
        signed_by=str(doc.get("signed_by") or ""),
        supervisors=str(doc.get("supervisors") or ""),
        redraw_of=doc.get("redraw_of"),
        redraw_reason=str(doc.get("redraw_reason") or ""),
    )


def _check_shape(
    doc: dict[str, Any], inputs: list[Any], assignment: list[Any] | None, max_rows: int
) -> None:
    """Every value verification reads has the type it expects, and the lists are of a
    draw's size: the public page takes any file, and a number where text belongs (or a
    missing ``seq``) was a server error."""

    def integer(value: Any, optional: bool = False) -> bool:
        return (value is None and optional) or (type(value) is int and abs(value) < 2**53)

    def text(value: Any) -> bool:
        return value is None or isinstance(value, str)

    for name in (
        "seed",
        "beacon_value",
        "drawn_on",
        "signed_by",
        "supervisors",
        "redraw_of",
        "redraw_reason",
    ):
        if not text(doc.get(name)):
            raise DrawError(f"摇号文件的 {name} 应为文字")
    lists = [doc["list"].get("households"), doc["list"].get("units")]
    if sum(len(rows) for rows in lists if isinstance(rows, list)) > max_rows:
        raise DrawError(f"摇号文件的家庭和房源合计超过 {max_rows} 行")
    if len(inputs) > MAX_INPUTS or (assignment is not None and len(assignment) > max_rows):
        raise DrawError("摇号文件的公开输入或摇号结果行数过多")
    for i in inputs:
        if not integer(i.get("seq")) or not all(text(i.get(k)) for k in ("by", "value", "at")):
            raise DrawError("摇号文件的公开输入格式不正确：每条应有整数 seq 和文字 value")
    for a in assignment or ():
        if not text(a.get("group")) or not all(
            integer(a.get(k), optional=True) for k in ("position", "household", "unit")
        ):
            raise DrawError(
                "摇号文件的摇号结果格式不正确：group 应为文字，position、household、unit 应为整数"
            )


# --- Excel --------------------------------------------------------------------------------

SHEET_INFO = "公告"
SHEET_HOUSEHOLDS = "家庭名单"
SHEET_UNITS = "房源"
SHEET_INPUTS = "公开输入"
SHEET_RESULT = "摇号结果"
INFO = [
    ("format", "文件格式"),
    ("code", "轮次编号"),
    ("name", "轮次名称"),
    ("project", "安置房项目"),
    ("list_sha256", "名单摘要（SHA-256）"),
    ("beacon_source", "公开随机数来源"),
    ("beacon_issue", "开奖期号"),
    ("beacon_date", "开奖日期"),
    ("beacon_value", "开奖号码"),
    ("seed", "种子（SHA-256）"),
    ("drawn_on", "摇号日期"),
    ("signed_by", "签发人"),
    ("supervisors", "监督单位"),
    ("redraw_of", "所替代的轮次"),
    ("redraw_reason", "重新摇号原因"),
]
HOUSEHOLD_COLUMNS = [
    ("seq", "公示序号"),
    ("code", "户编号"),
    ("name", "户主姓名"),
    ("id", "身份证号（脱敏）"),
    ("group", "摇号分组"),
]
UNIT_COLUMNS = [
    ("seq", "房源序号"),
    ("code", "房号"),
    ("group", "摇号分组"),
    ("layout", "户型"),
    ("area", "建筑面积（平方米）"),
]
INPUT_COLUMNS = [("seq", "输入顺序"), ("by", "输入人"), ("value", "输入数字"), ("at", "输入时间")]
RESULT_COLUMNS = [
    ("group", "摇号分组"),
    ("position", "摇号顺序号"),
    ("household", "家庭公示序号"),
    ("household_code", "户编号"),
    ("household_name", "户主姓名"),
    ("unit", "房源序号"),
    ("unit_code", "房号"),
    ("unit_area", "建筑面积（平方米）"),
]
VERIFY_NOTE = (
    "验证方法：zhujian draw verify 本文件 种子；或在平台“摇号结果验证”页面上传本文件并输入种子。"
    "名单摘要为名单规范JSON的SHA-256，种子为名单摘要、公示时声明的开奖号码与公开输入的SHA-256，"
    "算法见 docs/domains/housing.md。"
)


def _header_cell(ws: Any, text: str, size: int | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.font = Font(bold=True, size=size) if size else Font(bold=True)
    return cell


def _sheet(wb: Any, title: str, columns: list[tuple[str, str]], rows: list[dict]) -> None:
    ws = wb.create_sheet(title)
    keys = [key for key, _label in columns]
    for i, (_key, label) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, 2 * len(label) + 2)
    # Codes and ID numbers stay text when the announcement is opened and edited in Excel
    # or WPS: every column that holds text is a text column (numbers stay numbers).
    xlsx.text_columns(
        ws,
        [
            i
            for i, key in enumerate(keys, start=1)
            if any(isinstance(row.get(key), str) and row.get(key) for row in rows)
        ],
    )
    ws.freeze_panes = "A2"
    ws.append([_header_cell(ws, label) for _key, label in columns])
    for row in rows:
        ws.append(["" if (v := row.get(key)) is None else v for key in keys])


def write_xlsx(rf: RoundFile, out: str | Path | IO[bytes], title: str = "") -> None:
    """The list (and, once drawn, the inputs and the result) as a workbook to print and
    publish; :func:`read_xlsx` reads it back for verification. Written through the
    project's one writer (``core.xlsx.workbook``: a name such as ``=1+1`` stays text) in
    write-only mode: a list of 50,000 households takes seconds, not minutes."""
    wb = xlsx.workbook(write_only=True)
    info = wb.create_sheet(SHEET_INFO)
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 70
    info.append([_header_cell(info, title or f"{rf.round.get('name', '')}摇号公告", 14)])
    beacon = rf.list.get("beacon") if isinstance(rf.list.get("beacon"), dict) else {}
    values = {
        "format": FILE_FORMAT,
        **{k: rf.round.get(k, "") for k in ("code", "name", "project")},
        "list_sha256": rf.list_sha256,
        **{f"beacon_{k}": beacon.get(k, "") for k in alg.BEACON_KEYS},
        "beacon_value": rf.beacon_value,
        "seed": rf.seed or "",
        "drawn_on": rf.drawn_on or "",
        "signed_by": rf.signed_by,
        "supervisors": rf.supervisors,
        "redraw_of": rf.redraw_of or "",
        "redraw_reason": rf.redraw_reason,
    }
    for key, label in INFO:
        info.append([label, values[key]])
    info.append([])
    note = WriteOnlyCell(info, value=VERIFY_NOTE)
    note.alignment = Alignment(wrap_text=True)
    info.append([note])
    _sheet(wb, SHEET_HOUSEHOLDS, HOUSEHOLD_COLUMNS, rf.list.get("households", []))
    _sheet(wb, SHEET_UNITS, UNIT_COLUMNS, rf.list.get("units", []))
    if rf.inputs:
        _sheet(wb, SHEET_INPUTS, INPUT_COLUMNS, rf.inputs)
    if rf.assignment is not None:
        rows = []
        for a in rf.assignment:
            h, u = rf.household(a.get("household")), rf.unit(a.get("unit"))
            rows.append(
                {
                    **a,
                    "household_code": h.get("code"),
                    "household_name": h.get("name"),
                    "unit_code": u.get("code"),
                    "unit_area": u.get("area"),
                }
            )
        _sheet(wb, SHEET_RESULT, RESULT_COLUMNS, rows)
    wb.save(out)


def _rows(sheet: Any, title: str, columns: list[tuple[str, str]]) -> list[list[Any]]:
    """The sheet's data rows, each as the values of ``columns`` in order (blank rows
    skipped). ``to_python`` hands over the whole range at once; the per-row work is one
    list comprehension."""
    rows = sheet.to_python()
    header = [_text(c).strip() for c in rows[0]] if rows else []
    positions = []
    for _key, label in columns:
        if label not in header:
            raise DrawError(f"工作表“{title}”缺少“{label}”列")
        positions.append(header.index(label))
    width = max(positions) + 1
    return [
        [raw[i] for i in positions] if len(raw) >= width else [_at(raw, i) for i in positions]
        for raw in rows[1:]
        if raw.count("") + raw.count(None) < len(raw)  # not a blank row (counted in C)
    ]


def _at(raw: list[Any], i: int) -> Any:
    return raw[i] if i < len(raw) else None


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _int(value: Any, where: str) -> int:
    kind = type(value)
    if kind is float and value.is_integer():
        return int(value)
    if kind is int:
        return value
    if kind is bool:
        raise DrawError(f"{where}应为整数")
    text = _text(value).strip()
    if text.isdigit():
        return int(text)
    raise DrawError(f"{where}应为整数（实际：{text[:20]}）")


def _int_or_none(value: Any, where: str) -> int | None:
    if type(value) is float and value.is_integer():
        return int(value)
    return None if value is None or value == "" else _int(value, where)


def unzipped_bound(max_rows: int) -> int:
    """Most bytes the parts of an announcement of ``max_rows`` households and units may
    take once unzipped: a genuine one takes some 400 bytes a row over its sheets (the
    result repeats the list), so 1,000 a row leaves room and refuses a zip bomb — a few
    megabytes that unzip into a gigabyte of cells to parse."""
    return (1 << 20) + 1000 * 2 * max_rows


def _open_checked(path: Path, max_rows: int) -> Any:
    """The workbook, once every sheet this module reads has been measured: a crafted file
    (a zip bomb, a cell at XFD1048576, more rows or columns than a draw has) is refused
    before the reader allocates anything."""
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise DrawError("文件已损坏或不是有效的 .xlsx 文件") from None
    if unzipped > unzipped_bound(max_rows):
        raise DrawError(
            f"文件解压后过大（{unzipped >> 20} MB），不是本平台生成的摇号公告"
            f"（{max_rows} 行的公告最多 {unzipped_bound(max_rows) >> 20} MB）"
        )
    list_rows = 0
    for name, columns, limit in (
        (SHEET_INFO, 2, len(INFO) + 10),
        (SHEET_HOUSEHOLDS, len(HOUSEHOLD_COLUMNS), max_rows),
        (SHEET_UNITS, len(UNIT_COLUMNS), max_rows),
        (SHEET_INPUTS, len(INPUT_COLUMNS), MAX_INPUTS),
        (SHEET_RESULT, len(RESULT_COLUMNS), max_rows),
    ):
        try:
            shape = workbook.inspect(path, prefer=name)
        except workbook.WorkbookError as exc:
            raise DrawError(str(exc)) from None
        if shape.name != name:
            if name in (SHEET_INPUTS, SHEET_RESULT):
                continue
            raise DrawError(f"不是摇号公告文件：缺少工作表“{name}”")
        if name in (SHEET_HOUSEHOLDS, SHEET_UNITS):
            list_rows += max(0, shape.last_row - 1)
        if shape.last_row > limit + 1 or list_rows > max_rows or shape.last_column >= columns:
            raise DrawError(
                f"工作表“{name}”过大（最多 {columns} 列；家庭和房源合计最多 {max_rows} 行），"
                "不是本平台生成的摇号公告"
            )
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for a broken file
        raise DrawError(f"无法读取 Excel 文件：{exc}") from None


def read_xlsx(source: str | Path | IO[bytes], max_rows: int = MAX_ROWS) -> RoundFile:
    if isinstance(source, str | Path):
        return _read_xlsx(Path(source), max_rows)
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        tmp.write(source.read())
        tmp.flush()
        return _read_xlsx(Path(tmp.name), max_rows)


def _read_xlsx(path: Path, max_rows: int = MAX_ROWS) -> RoundFile:
    wb = _open_checked(path, max_rows)
    names = set(wb.sheet_names)
    labels = {label: key for key, label in INFO}
    info: dict[str, str] = {}
    for row in wb.get_sheet_by_name(SHEET_INFO).to_python():
        if row and len(row) >= 2 and _text(row[0]) in labels:
            info[labels[_text(row[0])]] = _text(row[1])
    if info.get("format") != FILE_FORMAT:
        raise DrawError(f"不是摇号公告文件（文件格式应为 {FILE_FORMAT}）")

    def sheet_rows(name: str, columns: list[tuple[str, str]]) -> list[list[Any]]:
        return _rows(wb.get_sheet_by_name(name), name, columns)

    t = _text
    households = [
        {"seq": _int(seq, "家庭公示序号"), "code": t(c), "name": t(n), "id": t(i), "group": t(g)}
        for seq, c, n, i, g in sheet_rows(SHEET_HOUSEHOLDS, HOUSEHOLD_COLUMNS)
    ]
    units = [
        {"seq": _int(seq, "房源序号"), "code": t(c), "group": t(g), "layout": t(lay), "area": t(a)}
        for seq, c, g, lay, a in sheet_rows(SHEET_UNITS, UNIT_COLUMNS)
    ]
    if len(households) + len(units) > max_rows:
        raise DrawError(f"摇号公告的家庭和房源合计超过 {max_rows} 行")
    inputs = []
    if SHEET_INPUTS in names:
        inputs = [
            {"seq": _int(seq, "输入顺序"), "by": t(by), "value": t(value), "at": t(at)}
            for seq, by, value, at in sheet_rows(SHEET_INPUTS, INPUT_COLUMNS)
        ]
    assignment = None
    if SHEET_RESULT in names:
        rows = sheet_rows(SHEET_RESULT, RESULT_COLUMNS)
        assignment = [
            {
                "group": t(g),
                "position": _int_or_none(p, "摇号顺序号"),
                "household": _int_or_none(h, "家庭公示序号"),
                "unit": _int_or_none(u, "房源序号"),
            }
            for g, p, h, _hc, _hn, u, _uc, _ua in rows
        ]
    document: dict[str, Any] = {
        "format": alg.LIST_FORMAT,
        "round": {k: info.get(k, "") for k in ("code", "name", "project")},
        "households": households,
        "units": units,
    }
    if any(info.get(f"beacon_{k}") for k in alg.BEACON_KEYS):
        document["beacon"] = {k: info.get(f"beacon_{k}", "") for k in alg.BEACON_KEYS}
    return RoundFile(
        list=document,
        list_sha256=info.get("list_sha256", ""),
        inputs=inputs,
        seed=info.get("seed") or None,
        assignment=assignment,
        beacon_value=info.get("beacon_value", ""),
        drawn_on=info.get("drawn_on") or None,
        signed_by=info.get("signed_by", ""),
        supervisors=info.get("supervisors", ""),
        redraw_of=info.get("redraw_of") or None,
        redraw_reason=info.get("redraw_reason", ""),
    )


def load(
    data: bytes, name: str = "", max_bytes: int = MAX_FILE_BYTES, max_rows: int = MAX_ROWS
) -> RoundFile:
    """A round file from its bytes: JSON, or the Excel announcement (by content), refused
    beyond ``max_bytes`` or ``max_rows`` households plus units before any real work."""
    if len(data) > max_bytes:
        raise DrawError(f"文件过大（最多 {max_bytes / 1024 / 1024:.0f} MB）")
    if data[:2] == b"PK":  # a zip container: .xlsx
        return read_xlsx(BytesIO(data), max_rows)
    return from_json(data, max_rows)


# --- verification -------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """What the platform itself published about a round: the digests a file must match."""

    code: str
    status: str  # the status's label
    list_sha256: str
    seed: str = ""
    result_sha256: str = ""


@dataclass
class Verification:
    ok: bool
    findings: list[str]  # what was checked, each a sentence
    problems: list[str]  # what does not match
    allotments: list[alg.Allotment]
    # A seed typed by the person checking that differs from the one the file derives:
    # their typing error, reported as such and not as wrong allocations.
    input_error: str = ""
    published: Published | None = None
    matches_published: bool | None = None  # None: not compared

    def report(self) -> str:
        if self.input_error:
            head = f"输入有误：{self.input_error}"
        elif self.ok:
            head = "验证通过：摇号结果与公示名单、开奖号码、公开输入和种子一致。"
        else:
            head = "验证不通过："
        lines = [head, *(f"  ✓ {f}" for f in self.findings), *(f"  ✗ {p}" for p in self.problems)]
        return "\n".join(lines)


def derive_seed(rf: RoundFile, digest: str) -> tuple[str | None, str]:
    """The seed that the file's own inputs give, and a sentence saying how (or why not).

    A file without public inputs, or (version 2) without the declared lottery's numbers,
    has no seed that anyone could check: it never passes, whatever seed it carries."""
    beacon = alg.beacon_of(rf.list)
    values = [str(i.get("value") or "") for i in sorted(rf.inputs, key=lambda i: i["seq"])]
    if not values:
        return None, "文件中没有公开输入：种子无法由公开输入算得，无法证明种子未被人为选定"
    if beacon is not None and not rf.beacon_value.strip():
        return None, (
            f"文件中没有{beacon['source']}第{beacon['issue']}期（{beacon['date']}开奖）的"
            "开奖号码：种子无法算得"
        )
    try:
        seed = alg.seed_from(digest, values, rf.beacon_value if beacon else None)
    except DrawError as exc:
        return None, f"文件中的公开输入或开奖号码格式不正确：{exc}"
    if beacon is None:
        return seed, (
            f"种子由名单摘要和 {len(values)} 个公开输入算得：{seed}"
            "（本轮按第1版规则摇号，公示时未声明公开随机数）"
        )
    return seed, (
        f"种子由名单摘要、{beacon['source']}第{beacon['issue']}期（{beacon['date']}开奖）"
        f"开奖号码 {alg.check_beacon_value(rf.beacon_value)} 和 {len(values)} 个公开输入算得："
        f"{seed}"
    )


def verify(
    rf: RoundFile,
    seed: str | None = None,
    published: Published | None = None,
    against_platform: bool = False,
) -> Verification:
    """Recompute the digest, the seed and the result from ``rf`` alone, and compare.

    ``seed``, when given, is the seed as announced (typed by the person checking): it is
    compared with the seed the file derives; a difference is an input error. With
    ``against_platform`` the file must also match what the platform published for its
    round code (``published``; None: nothing was published under that code)."""
    findings: list[str] = []
    problems: list[str] = []
    typed = alg.check_seed(seed) if seed and str(seed).strip() else None
    alg.check_list(rf.list)
    digest = alg.list_digest(rf.list, checked=True)
    if digest == rf.list_sha256.strip().lower():
        findings.append(f"名单摘要相符：{digest}")
    else:
        problems.append(
            f"名单与摘要不符：按文件中的名单算得 {digest}，文件所载摘要为 {rf.list_sha256}"
            "（名单在公示后被改动，或摘要被改动）"
        )
    derived, how = derive_seed(rf, digest)
    (findings if derived else problems).append(how)
    if derived and rf.seed and rf.seed.strip().lower() != derived:
        problems.append(
            f"种子不符：文件所载种子 {rf.seed} 不是由其名单摘要和公开输入算得的种子 {derived}"
        )
    input_error = ""
    if typed and derived and typed != derived:
        input_error = (
            f"您输入的种子 {typed} 与本文件由公开输入算得的种子 {derived} 不一致，"
            "请对照公告核对是否输错"
        )
    elif typed and not derived and rf.seed and typed != rf.seed.strip().lower():
        input_error = f"您输入的种子 {typed} 与文件所载种子 {rf.seed} 不一致，请核对是否输错"

    compared: Published | None = None
    matches: bool | None = None
    if against_platform or published is not None:
        code = rf.round.get("code", "")
        if published is None:
            matches = False
            problems.append(f"平台没有公示过轮次编号为“{code}”的摇号：无法与平台公布的摘要核对")
        else:
            compared, matches = published, True
            if published.list_sha256 != digest:
                matches = False
                problems.append(
                    f"名单与平台公示的不同：平台公示的名单摘要为 {published.list_sha256}，"
                    f"本文件为 {digest}"
                )
            else:
                findings.append(f"名单与平台{published.status}的名单一致：{digest}")
            if published.seed and derived and published.seed != derived:
                matches = False
                problems.append(
                    f"种子与平台公布的不同：平台公布 {published.seed}，本文件算得 {derived}"
                    "（公开输入或开奖号码有缺漏或改动）"
                )
    # Recompute the allocation only for a file whose seed is its own inputs' and whose list
    # is the platform's: nothing else can pass, and nothing else needs the CPU.
    allotments: list[alg.Allotment] = []
    if derived and matches is not False:
        allotments = alg.assign(rf.list, derived, checked=True)
        if rf.assignment is None:
            findings.append("文件中没有摇号结果：已按名单和种子算出结果（见下）")
        else:
            expected = [a.as_dict() for a in allotments]
            normal = [_normal(a) for a in rf.assignment]
            if normal == expected:
                findings.append(f"摇号结果相符：{len(expected)} 行与重新计算的结果逐行一致")
            else:
                problems.extend(_differences(rf, expected, normal))
            if compared is not None and compared.result_sha256:
                digest_of_file = alg.sha256_hex(
                    alg.canonical(
                        {
                            "format": alg.RESULT_FORMAT,
                            "list_sha256": digest,
                            "seed": derived,
                            "assignment": normal,
                        }
                    )
                )
                if digest_of_file == compared.result_sha256:
                    findings.append(f"摇号结果与平台公告的一致：结果摘要 {digest_of_file}")
                else:
                    matches = False
                    problems.append(
                        f"摇号结果与平台公告的不同：平台公告的结果摘要为 {compared.result_sha256}，"
                        f"本文件为 {digest_of_file}"
                    )
    ok = not problems and not input_error
    return Verification(ok, findings, problems, allotments, input_error, compared, matches)


def _normal(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "group": _text(row.get("group")),
        "position": row.get("position"),
        "household": row.get("household"),
        "unit": row.get("unit"),
    }


def _differences(
    rf: RoundFile, expected: list[dict[str, Any]], published: list[dict[str, Any]]
) -> list[str]:
    out = []
    if len(expected) != len(published):
        out.append(f"摇号结果行数不符：应为 {len(expected)} 行，文件中为 {len(published)} 行")
    by_household = {(e["group"], e["household"]): e for e in expected if e["household"]}
    for row in published:
        want = by_household.get((row["group"], row["household"]))
        if row["household"] and (want is None or want != row):
            h = rf.household(row["household"])
            if want is None:
                out.append(f"家庭 {row['household']}（{h.get('name', '?')}）不应出现在摇号结果中")
            else:
                got_unit, want_unit = rf.unit(row["unit"]), rf.unit(want["unit"])
                out.append(
                    f"家庭 {row['household']}（{h.get('name', '?')}）：应为第{want['position']}号、"
                    f"分得 {want_unit.get('code', '轮候')}，公告为第{row['position']}号、"
                    f"分得 {got_unit.get('code', '轮候')}"
                )
        if len(out) >= 20:
            out.append("……（其余不一致之处从略）")
            break
    if not out:
        out.append("摇号结果与重新计算的结果不一致（剩余房源部分）")
    return out
