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

from django.conf import settings

# city class → building use → share of the new above-ground floor area
DEFAULT_SHELTER_RATIOS: dict[str, dict[str, str]] = {
    "key1": {"residential": "0.08", "public": "0.08", "industrial": "0"},
    "key2": {"residential": "0.08", "public": "0.08", "industrial": "0"},
    "key3": {"residential": "0.08", "public": "0.08", "industrial": "0"},
    "county": {"residential": "0.08", "public": "0.06", "industrial": "0"},
    "town": {"residential": "0.05", "public": "0.05", "industrial": "0"},
}
DEFAULT_SMALL_AREA = 1000


def shelter_ratio(city_class: str, use: str) -> Decimal:
    """The required shelter share for a city class and building use (0 when not listed)."""
    table = getattr(settings, "ZHUJIAN_CIVILDEFENSE_SHELTER_RATIOS", DEFAULT_SHELTER_RATIOS)
    value = table.get(city_class, {}).get(use, 0)
    return Decimal(str(value))


def small_area() -> Decimal:
    """Required shelter area (m²) under which a fee in lieu (易地建设费) is lawful."""
    return Decimal(str(getattr(settings, "ZHUJIAN_CIVILDEFENSE_SMALL_AREA", DEFAULT_SMALL_AREA)))
