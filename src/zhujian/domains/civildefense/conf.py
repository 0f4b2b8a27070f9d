"""Local numbers of the 人防 rules: Django settings with documented defaults.

The share of new floor area that a civil building must build as a shelter (结建 防空地下室)
is set by each province and differs by the city's civil-defence class and the building's
use; the defaults below are placeholders to confirm with the province's current rule
(the domain guide's example: housing 8 % in a 县城). Override in settings::

    ZHUJIAN_CIVILDEFENSE_SHELTER_RATIOS = {"county": {"residential": "0.08", ...}, ...}
    ZHUJIAN_CIVILDEFENSE_SMALL_AREA = 1000   # m²: below it a fee in lieu is lawful
"""

from __future__ import annotations

from decimal import Decimal

from zhujian.core import params

# city class → building use → share of the new above-ground floor area
DEFAULT_SHELTER_RATIOS: dict[str, dict[str, str]] = {
    "key1": {"residential": "0.08", "public": "0.08", "industrial": "0"},
    "key2": {"residential": "0.08", "public": "0.08", "industrial": "0"},
    "key3": {"residential": "0.08", "public": "0.08", "industrial": "0"},
    "county": {"residential": "0.08", "public": "0.06", "industrial": "0"},
    "town": {"residential": "0.05", "public": "0.05", "industrial": "0"},
}
DEFAULT_SMALL_AREA = 1000
_CLASSES = {
    "key1": "一类人防重点城市",
    "key2": "二类人防重点城市",
    "key3": "三类人防重点城市",
    "county": "县城",
    "town": "乡镇",
}
_USES = {"residential": "住宅", "public": "公共建筑", "industrial": "工业建筑"}

SHELTER_RATIOS = params.declare(
    "人防",
    "CIVILDEFENSE_SHELTER_RATIOS",
    "结建防空地下室配建比例",
    DEFAULT_SHELTER_RATIOS,
    kind=Decimal,
    source="本省人民防空工程建设管理规定",
    min=0,
    max=1,
    parts={f"{c}.{u}": f"{cl}·{ul}" for c, cl in _CLASSES.items() for u, ul in _USES.items()},
    help="占新建地面建筑面积的比例，0.08 即 8%",
)
SMALL_AREA = params.declare(
    "人防",
    "CIVILDEFENSE_SMALL_AREA",
    "可缴纳易地建设费的应建面积上限",
    DEFAULT_SMALL_AREA,
    kind=Decimal,
    unit="平方米",
    source="本省人民防空工程建设管理规定",
    min=0,
    max=100000,
)


def shelter_ratio(city_class: str, use: str) -> Decimal:
    """The required shelter share for a city class and building use (0 when not listed)."""
    return Decimal(str(SHELTER_RATIOS.get().get(f"{city_class}.{use}", 0)))


def small_area() -> Decimal:
    """Required shelter area (m²) under which a fee in lieu (易地建设费) is lawful."""
    return Decimal(str(SMALL_AREA.get()))
