"""The bureau's business lines (业务条线).

A line groups ledgers for permissions and navigation: a 业务股室 user edits the lines
it owns county-wide; a 乡镇 user edits the lines it reports on inside its township.
The list is the bureau's organisation, so it lives in one place rather than in
each domain app.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BusinessLine:
    code: str
    label: str
    section: str  # the seed section it reports in, e.g. "（二）"
    township_reports: bool = False  # townships enter records for this line


LINES: tuple[BusinessLine, ...] = (
    BusinessLine("general", "综合", "总体"),
    BusinessLine("party", "党建", "（一）"),
    BusinessLine("municipal", "市政道路与重点工程", "（二）"),
    BusinessLine("gas", "燃气", "（二）"),
    BusinessLine("heating", "供热", "（二）"),
    BusinessLine("water", "供水", "（二）"),
    BusinessLine("drainage", "排水", "（二）"),
    BusinessLine("flood", "防汛", "（二）"),
    BusinessLine("toilet", "农村改厕", "（三）", township_reports=True),
    BusinessLine("selfbuilt", "经营性自建房", "（三）", township_reports=True),
    BusinessLine("dilapidated", "农村危房改造", "（三）", township_reports=True),
    BusinessLine("cleanheat", "农村清洁取暖", "（三）", township_reports=True),
    BusinessLine("smallworks", "限额以下工程", "（三）", township_reports=True),
    BusinessLine("townplan", "城镇化与名镇保护", "（三）"),
    BusinessLine("sewage", "乡镇污水处理站", "（三）", township_reports=True),
    BusinessLine("demolition", "拆迁与安置", "（四）", township_reports=True),
    BusinessLine("renovation", "老旧小区与棚户区改造", "（四）"),
    BusinessLine("rental", "公租房与住房保障", "（四）"),
    BusinessLine("property", "物业管理", "（四）", township_reports=True),
    BusinessLine("civildefense", "人防", "（五）"),
    BusinessLine("construction", "建筑业监管", "（六）"),
    BusinessLine("wages", "农民工工资", "（六）"),
    BusinessLine("realestate", "房地产市场", "（七）"),
    BusinessLine("petition", "信访", "（八）", township_reports=True),
    BusinessLine("plan", "工作计划", "计划"),
)

BY_CODE: dict[str, BusinessLine] = {line.code: line for line in LINES}
CHOICES: list[tuple[str, str]] = [(line.code, line.label) for line in LINES]


def get_line(code: str) -> BusinessLine:
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown business line {code!r}; known: {', '.join(BY_CODE)}") from None
