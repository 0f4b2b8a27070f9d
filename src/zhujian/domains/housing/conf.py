"""Local and legal numbers of the housing lines, each a setting with a documented default.

Read them through these functions, never from ``settings`` directly, so the defaults live
in one place (see docs/domains/housing.md).
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings


def _setting(name: str, default: Any) -> Any:
    """``settings.NAME`` when the deployment's settings define it, else the environment
    variable of that name (README's configuration table), else ``default``: read at call
    time, so a test's ``override_settings`` or a changed environment applies at once."""
    if hasattr(settings, name):
        return getattr(settings, name)
    text = os.environ.get(name, "").strip()
    return text if text else default


def old_community_built_by() -> int:
    """Latest year of completion of a community that may be renovated as 城镇老旧小区.

    国办发〔2020〕23号: communities built before the end of 2000 (a province may widen it).
    """
    return int(_setting("ZHUJIAN_OLD_COMMUNITY_BUILT_BY", 2000))


def rental_max_lease_years() -> int:
    """Longest 公租房 lease (公共租赁住房管理办法, 住建部令第11号: at most 5 years)."""
    return int(_setting("ZHUJIAN_RENTAL_MAX_LEASE_YEARS", 5))


def draw_min_inputs() -> int:
    """Public inputs (digits typed by household representatives) a draw needs at least."""
    return int(_setting("ZHUJIAN_DRAW_MIN_INPUTS", 3))


def draw_verify_rate() -> str:
    """Uploads one address may make to the public verification page (``N/sec|min|hour``):
    the page needs no sign-in and recomputing a large draw costs seconds of CPU."""
    return str(_setting("ZHUJIAN_DRAW_VERIFY_RATE", "10/min"))


def draw_publication_days() -> int:
    """Days of publication (公示) between freezing a round's list and drawing it: households
    check the list, and the declared lottery is drawn no earlier than the period's end."""
    return int(_setting("ZHUJIAN_DRAW_PUBLICATION_DAYS", 5))


def draw_verify_max_bytes() -> int:
    """Largest file the public verification page reads (bytes)."""
    return int(_setting("ZHUJIAN_DRAW_VERIFY_MAX_BYTES", 8 * 1024 * 1024))


def draw_verify_max_rows() -> int:
    """Most households plus units a file on the public verification page may list: with
    the file size, this bounds the CPU one anonymous request can take."""
    return int(_setting("ZHUJIAN_DRAW_VERIFY_MAX_ROWS", 30_000))


def draw_lookup_rate() -> str:
    """Look-ups one address may make on the public result page (``N/sec|min|hour``): a
    household's own result is found by its code or ID digits, never by listing."""
    return str(_setting("ZHUJIAN_DRAW_LOOKUP_RATE", "20/min"))
