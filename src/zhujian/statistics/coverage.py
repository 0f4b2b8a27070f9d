"""Where each indicator of a return comes from: ledger records, settings, or nowhere."""

from __future__ import annotations

from dataclasses import dataclass

from zhujian.figures import catalog
from zhujian.reports.coverage import describe
from zhujian.statistics.tables import Row, Scope, Table, tables_for

LABELS = {"records": "台账记录", "settings": "参数设置", "missing": "缺"}


@dataclass
class Item:
    table: Table
    row: Row
    source: str  # records | settings | missing
    description: str


def source_of(figure_id: str | None) -> str:
    """``records`` when any input is an aggregate over a ledger (or a computed figure
    drawn from records), ``settings`` when all inputs are settings, else ``missing``."""
    if figure_id is None:
        return "missing"
    kinds = set()
    for fid, _ in catalog.expand([figure_id]):
        fig = catalog.get(fid)
        if isinstance(fig, catalog.Aggregate):
            kinds.add("records")
        elif isinstance(fig, catalog.Computed) and (
            fig.records_model is not None or fig.records_fn is not None
        ):
            kinds.add("records")
        elif fig.source == "settings":
            kinds.add("settings")
    if "records" in kinds:
        return "records"
    return "settings" if "settings" in kinds else "missing"


def items(scope: Scope) -> list[Item]:
    out = []
    for table in tables_for(scope):
        for row in table.rows:
            source = source_of(row.figure)
            if row.figure is None:
                text = f"缺：{row.missing}"
            else:
                fig = catalog.get(row.figure)
                settled = source == "settings" and isinstance(fig, catalog.Computed)
                text = f"{fig.label}：{fig.help}" if settled and fig.help else describe(fig)
            out.append(Item(table, row, source, text))
    return out


def summary(found: list[Item]) -> str:
    counts = {k: sum(1 for i in found if i.source == k) for k in LABELS}
    return (
        f"共 {len(found)} 项指标：{counts['records']} 项由台账记录计算，"
        f"{counts['settings']} 项取自参数设置，{counts['missing']} 项缺数据来源"
    )
