"""Figures of the hazard loop for one business line, for the line's own ``figures.py``::

    register(*hazard_figures("gas"))

gives ``gas.hazards_found``, ``gas.hazards_notified``, ``gas.hazards_rectified``,
``gas.hazards_closed``, ``gas.hazards_overdue`` and ``gas.hazards_rate`` (share of the
hazards found in the period that were rectified by its end).
"""

from __future__ import annotations

from django.db.models import Q

from zhujian.core import lines
from zhujian.figures.catalog import Figure, count, distinct, rate
from zhujian.figures.periods import Period
from zhujian.hazards.models import Hazard, overdue_q


def hazard_figures(line: str, where: Q | None = None, prefix: str = "hazards") -> list[Figure]:
    """The loop's counts for ``line`` (optionally narrowed by ``where``), ids ``<line>.<prefix>_*``."""
    base = Q(line=line) & (where or Q())
    fid = f"{line}.{prefix}"
    name = lines.get_line(line).label

    def rectified_by_end(period: Period) -> Q:
        return base & Q(rectified_on__lte=period.end)

    def overdue_at_end(period: Period) -> Q:
        return base & overdue_q(period.end)

    return [
        count(
            f"{fid}_found", f"{name}排查发现隐患", Hazard, date="found_on", where=base, unit="条"
        ),
        distinct(
            f"{fid}_notified",
            f"{name}下达整改通知书",
            Hazard,
            "notice_number",
            date="notice_issued_on",
            where=base & ~Q(notice_number=""),
            unit="份",
        ),
        count(
            f"{fid}_rectified",
            f"{name}完成整改隐患",
            Hazard,
            date="rectified_on",
            where=base,
            unit="条",
        ),
        count(
            f"{fid}_closed",
            f"{name}验收销号隐患",
            Hazard,
            date="verified_on",
            where=base,
            unit="条",
        ),
        count(
            f"{fid}_overdue",
            f"{name}逾期未销号隐患",
            Hazard,
            date="found_on",
            mode="asof",
            where=overdue_at_end,
            unit="条",
            good="down",
        ),
        count(
            f"{fid}_found_rectified",
            f"{name}期内发现且已整改的隐患",
            Hazard,
            date="found_on",
            where=rectified_by_end,
            unit="条",
        ),
        rate(
            f"{fid}_rate",
            f"{name}隐患整改率",
            f"{fid}_found_rectified",
            f"{fid}_found",
            good="up",
        ),
    ]
