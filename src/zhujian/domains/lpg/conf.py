"""The LPG line's legal and local numbers, each a Django setting with its default.

Read at call time (``conf.design_life_years()``), so a county changes a value in its
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


def _get(name: str, default: object) -> object:
    return getattr(settings, f"ZHUJIAN_LPG_{name}", default)


def design_life_years() -> int:
    return int(_get("DESIGN_LIFE_YEARS", 8))


def max_life_years() -> int:
    return int(_get("MAX_LIFE_YEARS", 12))


def inspection_cycle_years(spec: str = "") -> int:
    """Years between periodic inspections of a cylinder of ``spec`` (GB 8334-2011 §5.1)."""
    by_spec = _get("INSPECTION_CYCLE_YEARS_BY_SPEC", DEFAULT_CYCLE_BY_SPEC) or {}
    if spec and spec in by_spec:
        return int(by_spec[spec])
    return int(_get("INSPECTION_CYCLE_YEARS", 4))


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


def rated_fill_kg(spec: str) -> Decimal | None:
    """The rated fill mass of a cylinder of ``spec`` (None: not known for that spec)."""
    table = _get("RATED_FILL_KG", DEFAULT_RATED_FILL_KG) or {}
    value = table.get(spec)
    return Decimal(str(value)) if value is not None else None


def max_upload_delay_days() -> int:
    return int(_get("MAX_UPLOAD_DELAY_DAYS", 7))


def batch_max_events() -> int:
    return int(_get("BATCH_MAX_EVENTS", 500))


def refusal_hazard_threshold() -> int:
    return int(_get("REFUSAL_HAZARD_THRESHOLD", 10))


def refusal_hazard_window_days() -> int:
    return int(_get("REFUSAL_HAZARD_WINDOW_DAYS", 7))


def code_pattern() -> re.Pattern[str]:
    return _compiled(str(_get("CODE_PATTERN", r"^[0-9A-Z]{8,20}$")))


@lru_cache(maxsize=8)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def max_fill_kg() -> int:
    return int(_get("MAX_FILL_KG", 60))


def clock_skew_minutes() -> int:
    return int(_get("CLOCK_SKEW_MINUTES", 10))


def device_rate() -> str | None:
    value = _get("DEVICE_RATE", "120/min")
    return str(value) if value else None
