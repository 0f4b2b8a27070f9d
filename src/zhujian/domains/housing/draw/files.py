"""The published round file (JSON) and Excel announcement, and their verification.

Both files are self-contained: the frozen list, its digest, the public inputs, the seed and
the result. :func:`verify` recomputes everything from a file and a seed and says what, if
anything, does not match — it needs no database, so the command line, the public page and
anyone with the algorithm can run it.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from zhujian.core import bounds
from zhujian.domains.housing.draw import algorithm as alg
from zhujian.domains.housing.draw.algorithm import DrawError
from zhujian.imports import workbook

FILE_FORMAT = "zhujian-draw/1"
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000


@dataclass
class RoundFile:
    """Everything published about one round."""

    list: dict[str, Any]
    list_sha256: str
    inputs: list[dict[str, Any]] = field(default_factory=list)  # seq, by, value, at
    seed: str | None = None
    assignment: list[dict[str, Any]] | None = None
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
        {"seq": i.seq, "by": i.entered_by, "value": i.value, "at": i.entered_at.isoformat()}
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
        drawn_on=round.drawn_on.isoformat() if round.drawn_on else None,
        signed_by=round.signed_by,
        supervisors=round.supervisors,
        redraw_of=round.redraw_of.code if round.redraw_of_id else None,
        redraw_reason=round.redraw_reason,
    )


def _allotment_order(document: dict[str, Any]) -> Any:
    """The algorithm's own output order: groups by code point, positions, then leftovers."""

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        return (row["group"], row["position"] is None, row["position"] or 0, row["unit"] or 0)

    return key


# --- JSON ---------------------------------------------------------------------------------


def to_json(rf: RoundFile) -> bytes:
    return json.dumps(rf.as_dict(), ensure_ascii=False, indent=1).encode("utf-8")


def from_json(data: bytes) -> RoundFile:
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
    _check_shape(doc, inputs, assignment)
    return RoundFile(
        list=doc["list"],
        list_sha256=doc["list_sha256"],
        inputs=inputs,
        seed=doc.get("seed"),
        assignment=assignment,
        drawn_on=doc.get("drawn_on"),
        signed_by=str(doc.get("signed_by") or ""),
        supervisors=str(doc.get("supervisors") or ""),
        redraw_of=doc.get("redraw_of"),
        redraw_reason=str(doc.get("redraw_reason") or ""),
    )


def _check_shape(doc: dict[str, Any], inputs: list[Any], assignment: list[Any] | None) -> None:
    """Every value verification reads has the type it expects, and the lists are of a
    draw's size: the public page takes any file, and a number where text belongs (or a
    missing ``seq``) was a server error."""

    def integer(value: Any, optional: bool = False) -> bool:
        return (value is None and optional) or (type(value) is int and abs(value) < 2**53)

    def text(value: Any) -> bool:
        return value is None or isinstance(value, str)

    for name in ("seed", "drawn_on", "signed_by", "supervisors", "redraw_of", "redraw_reason"):
        if not text(doc.get(name)):
            raise DrawError(f"摇号文件的 {name} 应为文字")
    for what, rows in (("家庭", doc["list"].get("households")), ("房源", doc["list"].get("units"))):
        if isinstance(rows, list) and len(rows) > MAX_ROWS:
            raise DrawError(f"摇号文件的{what}超过 {MAX_ROWS} 行")
    if len(inputs) > MAX_ROWS or (assignment is not None and len(assignment) > 2 * MAX_ROWS):
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
    "名单摘要为名单规范JSON的SHA-256，种子为名单摘要与公开输入的SHA-256，算法见 docs/domains/housing.md。"
)


def _header_cell(ws: Any, text: str, size: int | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=text)
    cell.font = Font(bold=True, size=size) if size else Font(bold=True)
    return cell


def _sheet(wb: Workbook, title: str, columns: list[tuple[str, str]], rows: list[dict]) -> None:
    ws = wb.create_sheet(title)
    for i, (_key, label) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, 2 * len(label) + 2)
    ws.append([_header_cell(ws, label) for _key, label in columns])
    for row in rows:
        ws.append([_cell(row.get(key)) for key, _label in columns])


def _cell(value: Any) -> Any:
    return "" if value is None else value


def write_xlsx(rf: RoundFile, out: str | Path | IO[bytes], title: str = "") -> None:
    """The list (and, once drawn, the inputs and the result) as a workbook to print and
    publish; :func:`read_xlsx` reads it back for verification. Written in openpyxl's
    write-only mode: a list of 50,000 households takes seconds, not minutes."""
    wb = Workbook(write_only=True)
    info = wb.create_sheet(SHEET_INFO)
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 70
    info.append([_header_cell(info, title or f"{rf.round.get('name', '')}摇号公告", 14)])
    values = {
        "format": FILE_FORMAT,
        **{k: rf.round.get(k, "") for k in ("code", "name", "project")},
        "list_sha256": rf.list_sha256,
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


def _rows(sheet: Any, title: str, columns: list[tuple[str, str]]) -> list[dict[str, Any]]:
    rows = iter(sheet.iter_rows())
    header = [_text(c).strip() for c in next(rows, [])]
    positions = {}
    for key, label in columns:
        if label not in header:
            raise DrawError(f"工作表“{title}”缺少“{label}”列")
        positions[key] = header.index(label)
    out = []
    for raw in rows:
        if all(v in (None, "") for v in raw):
            continue
        out.append({key: raw[i] if i < len(raw) else None for key, i in positions.items()})
    return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise DrawError(f"{where}应为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value).strip()
    if text.isdigit():
        return int(text)
    raise DrawError(f"{where}应为整数（实际：{text[:20]}）")


def _int_or_none(value: Any, where: str) -> int | None:
    return None if value in (None, "") else _int(value, where)


def _open_checked(path: Path) -> Any:
    """The workbook, once every sheet this module reads has been measured: a crafted file
    (a zip bomb, a cell at XFD1048576) is refused before the reader allocates anything."""
    for name in (SHEET_INFO, SHEET_HOUSEHOLDS, SHEET_UNITS, SHEET_INPUTS, SHEET_RESULT):
        try:
            shape = workbook.inspect(path, prefer=name)
        except workbook.WorkbookError as exc:
            raise DrawError(str(exc)) from None
        if shape.name != name:
            if name in (SHEET_INPUTS, SHEET_RESULT):
                continue
            raise DrawError(f"不是摇号公告文件：缺少工作表“{name}”")
        if shape.last_row > MAX_ROWS or shape.last_column > 20:
            raise DrawError(f"工作表“{name}”过大，不是本平台生成的摇号公告")
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for a broken file
        raise DrawError(f"无法读取 Excel 文件：{exc}") from None


def read_xlsx(source: str | Path | IO[bytes]) -> RoundFile:
    if isinstance(source, str | Path):
        return _read_xlsx(Path(source))
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        tmp.write(source.read())
        tmp.flush()
        return _read_xlsx(Path(tmp.name))


def _read_xlsx(path: Path) -> RoundFile:
    wb = _open_checked(path)
    names = set(wb.sheet_names)
    labels = {label: key for key, label in INFO}
    info: dict[str, str] = {}
    for row in wb.get_sheet_by_name(SHEET_INFO).iter_rows():
        if row and len(row) >= 2 and _text(row[0]) in labels:
            info[labels[_text(row[0])]] = _text(row[1])
    if info.get("format") != FILE_FORMAT:
        raise DrawError(f"不是摇号公告文件（文件格式应为 {FILE_FORMAT}）")

    def sheet_rows(name: str, columns: list[tuple[str, str]]) -> list[dict[str, Any]]:
        return _rows(wb.get_sheet_by_name(name), name, columns)

    households = [
        {
            "seq": _int(r["seq"], "家庭公示序号"),
            "code": _text(r["code"]),
            "name": _text(r["name"]),
            "id": _text(r["id"]),
            "group": _text(r["group"]),
        }
        for r in sheet_rows(SHEET_HOUSEHOLDS, HOUSEHOLD_COLUMNS)
    ]
    units = [
        {
            "seq": _int(r["seq"], "房源序号"),
            "code": _text(r["code"]),
            "group": _text(r["group"]),
            "layout": _text(r["layout"]),
            "area": _text(r["area"]),
        }
        for r in sheet_rows(SHEET_UNITS, UNIT_COLUMNS)
    ]
    inputs = []
    if SHEET_INPUTS in names:
        inputs = [
            {
                "seq": _int(r["seq"], "输入顺序"),
                "by": _text(r["by"]),
                "value": _text(r["value"]),
                "at": _text(r["at"]),
            }
            for r in sheet_rows(SHEET_INPUTS, INPUT_COLUMNS)
        ]
    assignment = None
    if SHEET_RESULT in names:
        assignment = [
            {
                "group": _text(r["group"]),
                "position": _int_or_none(r["position"], "摇号顺序号"),
                "household": _int_or_none(r["household"], "家庭公示序号"),
                "unit": _int_or_none(r["unit"], "房源序号"),
            }
            for r in sheet_rows(SHEET_RESULT, RESULT_COLUMNS)
        ]
    document = {
        "format": alg.LIST_FORMAT,
        "round": {k: info.get(k, "") for k in ("code", "name", "project")},
        "households": households,
        "units": units,
    }
    return RoundFile(
        list=document,
        list_sha256=info.get("list_sha256", ""),
        inputs=inputs,
        seed=info.get("seed") or None,
        assignment=assignment,
        drawn_on=info.get("drawn_on") or None,
        signed_by=info.get("signed_by", ""),
        supervisors=info.get("supervisors", ""),
        redraw_of=info.get("redraw_of") or None,
        redraw_reason=info.get("redraw_reason", ""),
    )


def load(data: bytes, name: str = "") -> RoundFile:
    """A round file from its bytes: JSON, or the Excel announcement (by content)."""
    if len(data) > MAX_FILE_BYTES:
        raise DrawError(f"文件过大（最多 {MAX_FILE_BYTES // 1024 // 1024} MB）")
    if data[:2] == b"PK":  # a zip container: .xlsx
        return read_xlsx(BytesIO(data))
    return from_json(data)


# --- verification -------------------------------------------------------------------------


@dataclass
class Verification:
    ok: bool
    findings: list[str]  # what was checked, each a sentence
    problems: list[str]  # what does not match
    allotments: list[alg.Allotment]

    def report(self) -> str:
        head = "验证通过：摇号结果与公示名单、公开输入和种子一致。" if self.ok else "验证不通过："
        lines = [head, *(f"  ✓ {f}" for f in self.findings), *(f"  ✗ {p}" for p in self.problems)]
        return "\n".join(lines)


def verify(rf: RoundFile, seed: str) -> Verification:
    """Recompute the digest, the seed and the result from ``rf`` and ``seed``."""
    findings: list[str] = []
    problems: list[str] = []
    seed = alg.check_seed(seed)
    alg.check_list(rf.list)
    digest = alg.list_digest(rf.list)
    if digest == rf.list_sha256.strip().lower():
        findings.append(f"名单摘要相符：{digest}")
    else:
        problems.append(
            f"名单与摘要不符：按文件中的名单算得 {digest}，文件所载摘要为 {rf.list_sha256}"
            "（名单在公示后被改动，或摘要被改动）"
        )
    if rf.inputs:
        values = [str(i.get("value", "")) for i in sorted(rf.inputs, key=lambda i: i["seq"])]
        derived = alg.seed_from(digest, values)
        if derived == seed:
            findings.append(f"种子由名单摘要和 {len(values)} 个公开输入算得，与给定种子相符")
        else:
            problems.append(f"种子不符：由名单摘要和公开输入算得 {derived}，给定种子为 {seed}")
    if rf.seed and rf.seed.strip().lower() != seed:
        problems.append(f"文件所载种子 {rf.seed} 与给定种子 {seed} 不同")
    allotments = alg.assign(rf.list, seed)
    if rf.assignment is None:
        findings.append("文件中没有摇号结果：已按名单和种子算出结果（见下）")
    else:
        expected = [a.as_dict() for a in allotments]
        published = [_normal(a) for a in rf.assignment]
        if published == expected:
            findings.append(f"摇号结果相符：{len(expected)} 行与重新计算的结果逐行一致")
        else:
            problems.extend(_differences(rf, expected, published))
    return Verification(not problems, findings, problems, allotments)


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
