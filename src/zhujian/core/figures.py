"""Figures every report uses that belong to no business line: the county's name."""

from zhujian.figures.catalog import Computed, county_name, register

register(
    Computed(
        id="general.county_name",
        label="县名（不含“县”字）",
        line="general",
        fn=lambda ctx: (county_name(ctx) or "").removesuffix("县") or None,
    ),
)
