"""Which figure, record field or setting fills each mark (``*``) of a template."""

from __future__ import annotations

from dataclasses import dataclass

from zhujian.figures import catalog
from zhujian.figures.catalog import Aggregate, Computed, Setting
from zhujian.reports import template as tpl


@dataclass
class Mark:
    number: int
    line: int
    figure_id: str | None
    source: str  # "records" | "settings" | "missing"
    description: str
    value: str = ""


def marks(body: str) -> list[Mark]:
    out = []
    n = 0
    for line_no, line in enumerate(body.splitlines(), start=1):
        for ref in tpl.references(line):
            if not ref.is_mark:
                continue
            n += 1
            if ref.figure_id is None:
                out.append(Mark(n, line_no, None, "missing", ref.note or "尚无数据来源"))
                continue
            fig = catalog.get(ref.figure_id)
            source = "settings" if isinstance(fig, Setting) else "records"
            out.append(Mark(n, line_no, fig.id, source, describe(fig)))
    return out


def describe(fig: catalog.Figure) -> str:
    if isinstance(fig, Aggregate):
        what = {
            "count": "计数",
            "sum": "合计",
            "distinct": "去重计数",
            "min": "最早/最小",
            "max": "最晚/最大",
        }[fig.func]
        target = fig.model._meta.verbose_name
        fld = "" if fig.field == "pk" else f".{fig.field}"
        return f"{fig.label}：{target}{fld} {what}"
    if isinstance(fig, Setting):
        return f"{fig.label}：固定事项 {fig.key}"
    if isinstance(fig, Computed):
        return f"{fig.label}：由记录推算"
    return f"{fig.label}：由 {'、'.join(a for a, _ in fig.inputs())} 计算"


def summary(items: list[Mark]) -> str:
    records = sum(m.source == "records" for m in items)
    settings = sum(m.source == "settings" for m in items)
    missing = sum(m.source == "missing" for m in items)
    return (
        f"{records}/{len(items)} computed from records, {settings} from settings, {missing} missing"
    )
