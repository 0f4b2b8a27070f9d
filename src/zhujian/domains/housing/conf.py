"""Local and legal numbers of the housing lines, each a setting with a documented default.

Read them through these functions, never from ``settings`` directly, so the defaults live
in one place (see docs/domains/housing.md).
"""

from __future__ import annotations

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
    return str(getattr(settings, "ZHUJIAN_DRAW_VERIFY_RATE", "10/min"))
