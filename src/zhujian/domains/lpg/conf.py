"""The LPG line's legal and local numbers, each a Django setting with its default.

The legal and local ones are declared parameters (:mod:`zhujian.core.params`, the
参数设置 page overrides the setting). Read at call time (``conf.design_life_years()``), so a county changes a value in its
settings and tests change it with pytest-django's ``settings`` fixture.

| setting | default | source |
|---|---|---|
| ``ZHUJIAN_LPG_DESIGN_LIFE_YEARS`` | 8 | GB 5842: design life of a steel LPG cylinder |
| ``ZHUJIAN_LPG_MAX_LIFE_YEARS`` | 12 | TSG 23-2021: a cylinder that passed inspection serves at most 12 years |
| ``ZHUJIAN_LPG_INSPECTION_CYCLE_YEARS`` | 4 | GB 8334-2011 §5.1, TSG 23-2021: periodic inspection every 4 years (YSP4.7–YSP35.5) |
| ``ZHUJIAN_LPG_INSPECTION_CYCLE_YEARS_BY_SPEC`` | ``{"YSP118": 3}`` | GB 8334-2011 §5.1: YSP118 every 3 years; specifications not listed use the cycle above |
| ``ZHUJIAN_LPG_RATED_FILL_KG`` | YSP4.7 1.9, YSP12 5.0, YSP26.2 11.0, YSP35.5 14.9, YSP118 49.5 | GB 5842-2006 表1: the rated (maximum) fill mass of each specification; TSG 23-2021 forbids overfilling |
| ``ZHUJIAN_LPG_MAX_UPLOAD_DELAY_DAYS`` | 7 | a device's scan claimed more than this many days before its upload is not believed |
| ``ZHUJIAN_LPG_BATCH_MAX_EVENTS`` | 500 | scans in one upload |
| ``ZHUJIAN_LPG_REFUSAL_HAZARD_THRESHOLD`` | 10 | refusals at one station that open a hazard … |
| ``ZHUJIAN_LPG_REFUSAL_HAZARD_WINDOW_DAYS`` | 7 | … within this many days |
| ``ZHUJIAN_LPG_CODE_PATTERN`` | ``^[0-9A-Z]{8,20}$`` | the county's cylinder code (一瓶一码) |
| ``ZHUJIAN_LPG_MAX_FILL_KG`` | 60 | the largest filling weight a scan may report (YSP118: 49.5 kg) |
| ``ZHUJIAN_LPG_CLOCK_SKEW_MINUTES`` | 10 | how far in the future a device's clock may run |
| ``ZHUJIAN_LPG_DEVICE_RATE`` | ``120/min`` | uploads per device (DRF throttle rate; ``None``: no limit) |
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from django.conf import settings

from zhujian.core import params


def _get(name: str, default: object) -> object:
    return getattr(settings, f"ZHUJIAN_LPG_{name}", default)


_G = "瓶装液化气"
DESIGN_LIFE_YEARS = params.declare(
    _G, "LPG_DESIGN_LIFE_YEARS", "钢瓶设计使用年限", 8, unit="年", source="GB 5842", min=1, max=30
)
MAX_LIFE_YEARS = params.declare(
    _G, "LPG_MAX_LIFE_YEARS", "钢瓶最长使用年限", 12, unit="年", source="TSG 23-2021", min=1, max=30
)
INSPECTION_CYCLE_YEARS = params.declare(
    _G,
    "LPG_INSPECTION_CYCLE_YEARS",
    "钢瓶定期检验周期",
    4,
    unit="年",
    source="TSG 23-2021",
    min=1,
    max=10,
)
REFUSAL_HAZARD_THRESHOLD = params.declare(
    _G,
    "LPG_REFUSAL_HAZARD_THRESHOLD",
    "拒充次数达到即立隐患",
    10,
    unit="次",
    source="本局监管规则",
    min=1,
    max=1000,
)
REFUSAL_HAZARD_WINDOW_DAYS = params.declare(
    _G,
    "LPG_REFUSAL_HAZARD_WINDOW_DAYS",
    "拒充次数统计天数",
    7,
    unit="日",
    source="本局监管规则",
    min=1,
    max=90,
)
CODE_PATTERN = params.declare(
    _G,
    "LPG_CODE_PATTERN",
    "气瓶编码格式（正则表达式）",
    r"^[0-9A-Z]{8,20}$",
    kind=str,
    regex=True,
    source="本县一瓶一码编码规则",
)
MAX_FILL_KG = params.declare(
    _G,
    "LPG_MAX_FILL_KG",
    "单次充装量上限",
    60,
    unit="千克",
    source="GB 5842（YSP118 充装量 49.5 千克）",
    min=1,
    max=200,
)


def design_life_years() -> int:
    return DESIGN_LIFE_YEARS.get()


def max_life_years() -> int:
    return MAX_LIFE_YEARS.get()


def inspection_cycle_years(spec: str = "") -> int:
    """Years between periodic inspections of a cylinder of ``spec`` (GB 8334-2011 §5.1)."""
    by_spec = INSPECTION_CYCLE_YEARS_BY_SPEC.get() or {}
    if spec and spec in by_spec:
        return int(by_spec[spec])
    return INSPECTION_CYCLE_YEARS.get()


def inspection_cycles() -> dict[str, int]:
    """Every specification's cycle, for the figures (which count per specification)."""
    from zhujian.domains.lpg.models.registers import CylinderSpec

    return {spec: inspection_cycle_years(spec) for spec in CylinderSpec.values}


# GB 8334-2011 §5.1: YSP118 (50 kg, mostly restaurants) every 3 years, the others every 4.
DEFAULT_CYCLE_BY_SPEC = {"YSP118": 3}
# GB 5842-2006 表1: the maximum fill mass (kg) of each specification.
DEFAULT_RATED_FILL_KG = {
    "YSP4.7": "1.9",
    "YSP12": "5.0",
    "YSP26.2": "11.0",
    "YSP35.5": "14.9",
    "YSP118": "49.5",
}


_SPECS = {
    "YSP4.7": "YSP4.7",
    "YSP12": "YSP12",
    "YSP26.2": "YSP26.2",
    "YSP35.5": "YSP35.5",
    "YSP118": "YSP118",
}
INSPECTION_CYCLE_YEARS_BY_SPEC = params.declare(
    _G,
    "LPG_INSPECTION_CYCLE_YEARS_BY_SPEC",
    "钢瓶定期检验周期（按规格，未列规格用通用周期）",
    DEFAULT_CYCLE_BY_SPEC,
    unit="年",
    source="GB 8334-2011 第5.1条",
    min=1,
    max=10,
    parts=_SPECS,
)
RATED_FILL_KG = params.declare(
    _G,
    "LPG_RATED_FILL_KG",
    "钢瓶最大充装量（按规格）",
    {spec: Decimal(kg) for spec, kg in DEFAULT_RATED_FILL_KG.items()},
    kind=Decimal,
    unit="千克",
    source="GB 5842-2006 表1；TSG 23-2021 禁止超装",
    min=Decimal("0.1"),
    max=Decimal("100"),
    parts=_SPECS,
)
MAX_UPLOAD_DELAY_DAYS = params.declare(
    _G,
    "LPG_MAX_UPLOAD_DELAY_DAYS",
    "扫码记录最长补传天数（超过不予采信）",
    7,
    unit="日",
    source="本局一瓶一码监管规则",
    min=1,
    max=36500,
)


def rated_fill_kg(spec: str) -> Decimal | None:
    """The rated fill mass of a cylinder of ``spec`` (None: not known for that spec)."""
    value = (RATED_FILL_KG.get() or {}).get(spec)
    return Decimal(str(value)) if value is not None else None


def max_upload_delay_days() -> int:
    return MAX_UPLOAD_DELAY_DAYS.get()


def batch_max_events() -> int:
    return int(_get("BATCH_MAX_EVENTS", 500))


def refusal_hazard_threshold() -> int:
    return REFUSAL_HAZARD_THRESHOLD.get()


def refusal_hazard_window_days() -> int:
    return REFUSAL_HAZARD_WINDOW_DAYS.get()


def code_pattern() -> re.Pattern[str]:
    return _compiled(CODE_PATTERN.get())


@lru_cache(maxsize=8)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def max_fill_kg() -> int:
    return MAX_FILL_KG.get()


def clock_skew_minutes() -> int:
    return int(_get("CLOCK_SKEW_MINUTES", 10))


def device_rate() -> str | None:
    value = _get("DEVICE_RATE", "120/min")
    return str(value) if value else None
