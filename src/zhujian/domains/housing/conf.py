"""Local and legal numbers of the housing lines, each a setting with a documented default.

Read them through these functions, never from ``settings`` directly, so the defaults live
in one place (see docs/domains/housing.md).
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings

from zhujian.core import params

OLD_COMMUNITY_BUILT_BY = params.declare(
    "住房保障",
    "OLD_COMMUNITY_BUILT_BY",
    "老旧小区建成年份上限",
    2000,
    unit="年",
    source="国办发〔2020〕23号",
    min=1949,
    max=2100,
)
RENTAL_MAX_LEASE_YEARS = params.declare(
    "住房保障",
    "RENTAL_MAX_LEASE_YEARS",
    "公租房租赁合同最长期限",
    5,
    unit="年",
    source="公共租赁住房管理办法（住建部令第11号）第十八条",
    min=1,
    max=10,
    help="办法规定合同期限一般不超过5年",
)
DRAW_MIN_INPUTS = params.declare(
    "住房保障",
    "DRAW_MIN_INPUTS",
    "摇号公开输入最少份数",
    3,
    unit="份",
    source="本局安置摇号规则",
    min=1,
    max=50,
)
DRAW_PUBLICATION_DAYS = params.declare(
    "住房保障",
    "DRAW_PUBLICATION_DAYS",
    "摇号名单公示期",
    5,
    unit="日",
    source="本局安置摇号规则（名单冻结后公示，期满方可摇号）",
    min=1,
    max=60,
)


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
    return OLD_COMMUNITY_BUILT_BY.get()


def rental_max_lease_years() -> int:
    """Longest 公租房 lease (公共租赁住房管理办法, 住建部令第11号: at most 5 years)."""
    return RENTAL_MAX_LEASE_YEARS.get()


def draw_min_inputs() -> int:
    """Public inputs (digits typed by household representatives) a draw needs at least."""
    return DRAW_MIN_INPUTS.get()


def draw_verify_rate() -> str:
    """Uploads one address may make to the public verification page (``N/sec|min|hour``):
    the page needs no sign-in and recomputing a large draw costs seconds of CPU."""
    return str(_setting("ZHUJIAN_DRAW_VERIFY_RATE", "10/min"))


def draw_publication_days() -> int:
    """Days of publication (公示) between freezing a round's list and drawing it: households
    check the list, and the declared lottery is drawn no earlier than the period's end."""
    return DRAW_PUBLICATION_DAYS.get()


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
