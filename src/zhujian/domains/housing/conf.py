"""Local and legal numbers of the housing lines, each a setting with a documented default.

Read them through these functions, never from ``settings`` directly, so the defaults live
in one place (see docs/domains/housing.md).
"""

from __future__ import annotations

from django.conf import settings


def old_community_built_by() -> int:
    """Latest year of completion of a community that may be renovated as 城镇老旧小区.

    国办发〔2020〕23号: communities built before the end of 2000 (a province may widen it).
    """
    return int(getattr(settings, "ZHUJIAN_OLD_COMMUNITY_BUILT_BY", 2000))


def rental_max_lease_years() -> int:
    """Longest 公租房 lease (公共租赁住房管理办法, 住建部令第11号: at most 5 years)."""
    return int(getattr(settings, "ZHUJIAN_RENTAL_MAX_LEASE_YEARS", 5))


def draw_min_inputs() -> int:
    """Public inputs (digits typed by household representatives) a draw needs at least."""
    return int(getattr(settings, "ZHUJIAN_DRAW_MIN_INPUTS", 3))


def draw_verify_rate() -> str:
    """Uploads one address may make to the public verification page (``N/sec|min|hour``):
    the page needs no sign-in and recomputing a large draw costs seconds of CPU."""
    return str(getattr(settings, "ZHUJIAN_DRAW_VERIFY_RATE", "10/min"))
