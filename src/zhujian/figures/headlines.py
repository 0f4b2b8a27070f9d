"""Headline figures (核心指标): what the leaders' dashboard shows for each business line.

A domain declares its few headline figures in its ``figures.py``::

    headlines.register("gas", "gas.hazards_found", "gas.hazards_rectified", "gas.supply_volume")

and may name the figures whose month-by-month trend the dashboard charts with ``trend=True``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zhujian.core import lines


@dataclass
class LineHeadlines:
    line: str
    figures: list[str] = field(default_factory=list)
    trends: list[str] = field(default_factory=list)


_by_line: dict[str, LineHeadlines] = {}


def register(line: str, *figure_ids: str, trend: bool = False) -> None:
    lines.get_line(line)
    entry = _by_line.setdefault(line, LineHeadlines(line))
    target = entry.trends if trend else entry.figures
    for fid in figure_ids:
        if fid not in target:
            target.append(fid)


def all_lines() -> list[LineHeadlines]:
    order = [ln.code for ln in lines.LINES]
    return sorted(_by_line.values(), key=lambda h: order.index(h.line))


def trend_figures() -> list[str]:
    return [fid for entry in all_lines() for fid in entry.trends]
