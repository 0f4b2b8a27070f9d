"""审核关系 declared as data, run over a filled return.

Three kinds, as the 联网直报 system's edits and the notices' 编报说明 ask:

- ``le`` — a part may not exceed its whole (``left ≤ right × factor``), within or across
  tables (污水处理总量 ≤ 污水排放总量; 污水处理总量 ≤ 处理能力 × 日历日数 …);
- ``range`` — a value within bounds (a rate ≤ 100 %, a per-capita value plausible);
- ``yoy`` — a change from last year beyond the threshold (参数 ``STAT_YOY_THRESHOLD``)
  needs a written explanation before the return can be marked ready.

Every check names figures; a failure names the cells they fill (table and row) and the
records behind them (through the figures' drill-down).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from zhujian.figures import catalog
from zhujian.statistics import conf
from zhujian.statistics.compute import Column, Filled, leaf_records
from zhujian.statistics.tables import Scope, tables_for

Kind = Literal["le", "range", "yoy"]


@dataclass(frozen=True)
class Check:
    code: str
    scope: Scope
    kind: Kind
    left: str  # figure id
    right: str | None = None  # figure id (le)
    factor: Decimal = Decimal(1)
    low: Decimal | None = None  # range
    high: Decimal | None = None
    basis: str = ""  # where the relation comes from

    def refs(self) -> list[str]:
        return [f for f in (self.left, self.right) if f]

    @property
    def soft(self) -> bool:
        """Soft checks pass with an explanation; hard ones only with corrected data."""
        return self.kind == "yoy"

    def describe(self) -> str:
        left = catalog.get(self.left).label
        if self.kind == "le":
            right = catalog.get(self.right or "").label
            times = "" if self.factor == 1 else f" × {self.factor}"
            return f"“{left}”不大于“{right}”{times}"
        if self.kind == "range":
            unit = catalog.get(self.left).unit
            return f"“{left}”在 {self.low}–{self.high}{unit} 之间"
        return f"“{left}”同比变动不超过 {conf.YOY_THRESHOLD.get()}%，超过须说明原因"


def LE(code: str, scope: Scope, left: str, right: str, basis: str, factor: str = "1") -> Check:
    return Check(code, scope, "le", left, right, Decimal(factor), basis=basis)


def RANGE(code: str, scope: Scope, fig: str, low: str, high: str, basis: str) -> Check:
    return Check(code, scope, "range", fig, low=Decimal(low), high=Decimal(high), basis=basis)


def YOY(code: str, scope: Scope, fig: str) -> Check:
    return Check(code, scope, "yoy", fig, basis="编报说明：数据变动较大须说明原因")


DEF = "指标定义"
CHECKS: tuple[Check, ...] = (
    LE("X01", "county", "stat.built_up_km2", "stat.area_km2", DEF + "：建成区在县城范围内"),
    LE("X02", "county", "stat.water_persons", "stat.people_persons", "用水普及率不超过100%"),
    LE("X03", "county", "stat.gas_persons", "stat.people_persons", "燃气普及率不超过100%"),
    LE("X04", "county", "stat.sewage_treated", "stat.sewage_discharged", "污水处理率不超过100%"),
    LE(
        "X05",
        "county",
        "stat.sewage_treated",
        "stat.wwtp_year_capacity",
        "跨表：处理量不超过污水处理厂能力×日历日数",
    ),
    LE("X06", "county", "stat.waste_harmless", "stat.waste_collected", "无害化处理率不超过100%"),
    LE("X07", "county", "stat.green_area", "stat.green_coverage", DEF + "：绿地计入绿化覆盖"),
    LE("X08", "county", "stat.green_built_up", "stat.coverage_built_up", DEF),
    LE("X09", "county", "stat.sidewalk_area", "stat.road_area", "其中项不大于合计"),
    LE("X10", "county", "stat.green_built_up", "stat.built_up_ha", "跨表：建成区绿地在建成区内"),
    RANGE(
        "X11",
        "county",
        "stat.water_daily_per_capita",
        "60",
        "500",
        "跨表：供水总量与用水人口，人均日用水量合理区间",
    ),
    RANGE("X12", "county", "stat.road_per_capita", "3", "60", "跨表：道路面积与人口"),
    RANGE("X13", "county", "stat.park_per_capita", "1", "40", "跨表：公园绿地与人口"),
    RANGE("X14", "county", "stat.price_water_resident", "0.5", "15", "价格合理区间"),
    YOY("X21", "county", "stat.population"),
    YOY("X22", "county", "water.supply_volume"),
    YOY("X23", "county", "stat.road_area"),
    YOY("X24", "county", "stat.green_area"),
    YOY("X25", "county", "stat.sewage_treated"),
    YOY("X26", "county", "stat.waste_collected"),
    LE("T01", "town", "stat.built_up_km2", "stat.area_km2", DEF + "：建成区在乡镇域内"),
    LE("T02", "town", "stat.water_persons", "stat.people_persons", "用水普及率不超过100%"),
    LE("T03", "town", "stat.gas_persons", "stat.people_persons", "燃气普及率不超过100%"),
    LE(
        "T04",
        "town",
        "stat.town_sewage_treated",
        "stat.town_sewage_year_capacity",
        "跨表：处理水量不超过处理站能力×日历日数",
    ),
    YOY("T21", "town", "stat.population"),
    YOY("T22", "town", "stat.built_up_km2"),
)


def checks_for(scope: Scope) -> list[Check]:
    return [c for c in CHECKS if c.scope == scope]


@dataclass
class CellRef:
    table: str
    row: str
    name: str
    value: str


@dataclass
class RecordRef:
    ledger: str
    text: str
    url: str


@dataclass
class Finding:
    check: Check
    column: Column
    message: str
    cells: list[CellRef] = field(default_factory=list)
    records: list[RecordRef] = field(default_factory=list)
    explained: str = ""

    @property
    def key(self) -> str:
        return f"{self.check.code}:{self.column.key}"

    @property
    def blocking(self) -> bool:
        return not (self.check.soft and self.explained)


def _num(v: Any) -> Decimal | None:
    return catalog._num(v)


def _show(fid: str, value: Any) -> str:
    fig = catalog.get(fid)
    return (
        f"{catalog.format_number(value, fig.decimals if fig.decimals is not None else 2)}{fig.unit}"
    )


def cells_of(filled: Filled, fid: str, column: Column) -> list[CellRef]:
    """The form cells a figure fills (or the figure itself when no row shows it)."""
    out = []
    for table in tables_for(filled.scope):
        for row in table.rows:
            if row.figure == fid:
                out.append(
                    CellRef(table.number, row.code, row.name, filled.text(column, row) or "空")
                )
    if not out:
        fig = catalog.get(fid)
        out.append(CellRef("", "", f"{fig.label}（计算项）", _show(fid, filled.value(column, fid))))
    return out


def records_of(filled: Filled, fid: str, column: Column, limit: int = 5) -> list[RecordRef]:
    from zhujian.core.registry import registry

    out = []
    for fig, qs in leaf_records(fid, filled.period, column, filled.user):
        try:
            ledger = registry.for_model(qs.model)
        except KeyError:
            continue
        for obj in qs.order_by(*ledger.ordering)[:limit]:
            out.append(
                RecordRef(
                    f"{ledger.label}（{fig.label}）", str(obj), ledger.url("detail", pk=obj.pk)
                )
            )
    return out


def run(filled: Filled, explanations: dict[str, str] | None = None) -> list[Finding]:
    """Every failing check of every column (an empty list: the return passes)."""
    explanations = explanations or {}
    threshold = Decimal(conf.YOY_THRESHOLD.get())
    findings = []
    for check in checks_for(filled.scope):
        for column in filled.columns:
            message = _failure(filled, check, column, threshold)
            if message is None:
                continue
            finding = Finding(check, column, message)
            for fid in check.refs():
                finding.cells += cells_of(filled, fid, column)
                finding.records += records_of(filled, fid, column)
            finding.explained = explanations.get(finding.key, "").strip()
            findings.append(finding)
    return findings


def _failure(filled: Filled, check: Check, column: Column, threshold: Decimal) -> str | None:
    left = _num(filled.value(column, check.left))
    where = f"{column.label}："
    if check.kind == "le":
        right = _num(filled.value(column, check.right or ""))
        if left is None or right is None:
            return None
        if left > right * check.factor:
            return (
                f"{where}{check.describe()}不成立："
                f"{_show(check.left, left)} > {_show(check.right or '', right * check.factor)}"
            )
        return None
    if check.kind == "range":
        if left is None:
            return f"{where}“{catalog.get(check.left).label}”无数据，无法审核"
        if (check.low is not None and left < check.low) or (
            check.high is not None and left > check.high
        ):
            return f"{where}{check.describe()}不成立：为 {_show(check.left, left)}"
        return None
    before = _num(filled.value(column, check.left, back=1))
    if left is None or not before:
        return None
    change = (left - before) * 100 / before
    if abs(change) > threshold:
        return (
            f"{where}“{catalog.get(check.left).label}”由上年 {_show(check.left, before)} "
            f"变为 {_show(check.left, left)}，变动 {change:+.1f}%，超过 {threshold}%，须说明原因"
        )
    return None
