"""The local and legal numbers of the real-estate ledgers, each a setting.

Each is a declared parameter (:mod:`zhujian.core.params`): set on the 参数设置 page, or as
the setting / environment variable below; read at call time (a province's value or a test
takes effect without a restart).

=====================================================  ==========  ================================
setting                                                default     rule
=====================================================  ==========  ================================
``ZHUJIAN_PRESALE_MIN_INVESTMENT_PERCENT``             25          investment in the buildings for
                                                                   sale ≥ 25 % of the total before
                                                                   a presale permit (城市房地产开发经营
                                                                   管理条例 第二十二条)
``ZHUJIAN_PRESALE_DECISION_DAYS``                      10          the permit is decided within 10
                                                                   days of the application (第二十四条);
                                                                   a later decision is flagged
``ZHUJIAN_CONTRACT_FILING_DAYS``                       30          a sale contract is filed within
                                                                   30 days of signing (第二十六条); a
                                                                   later filing is flagged
``ZHUJIAN_ESCROW_RELEASE_CAPS``                        see below   cumulative share of the supervised
                                                                   funds that may be released once a
                                                                   construction node is reached
=====================================================  ==========  ================================

Escrow caps (预售资金监管, local rules; the domain guide's example): up to 50 % before
主体结构验收, 95 % once it is passed (before 竣工验收), 99 % once 竣工验收 is passed — and
still after 竣工验收备案 — and 100 % after 首次登记. As a setting: a dict from the node
codes of :class:`~zhujian.domains.realestate.models.EscrowAccount` to percentages::

    ZHUJIAN_ESCROW_RELEASE_CAPS = {"opened": 50, "structure": 95, "completion": 99,
                                   "filing": 99, "registration": 100}

Days are counted by :func:`zhujian.core.deadlines.due_after`.
"""

from __future__ import annotations

from decimal import Decimal

from zhujian.core import params

_G = "房地产"
DEFAULT_CAPS: dict[str, int] = {
    "opened": 50,
    "structure": 95,
    "completion": 99,
    "filing": 99,
    "registration": 100,
}
PARAMS = {
    "PRESALE_MIN_INVESTMENT_PERCENT": params.declare(
        _G,
        "PRESALE_MIN_INVESTMENT_PERCENT",
        "预售前最低投资比例",
        25,
        unit="%",
        source="城市房地产开发经营管理条例 第二十二条",
        min=0,
        max=100,
    ),
    "PRESALE_DECISION_DAYS": params.declare(
        _G,
        "PRESALE_DECISION_DAYS",
        "预售许可决定期限",
        10,
        unit="日",
        source="城市房地产开发经营管理条例 第二十四条",
        min=1,
        max=60,
    ),
    "CONTRACT_FILING_DAYS": params.declare(
        _G,
        "CONTRACT_FILING_DAYS",
        "预售合同备案期限",
        30,
        unit="日",
        source="城市房地产开发经营管理条例 第二十六条",
        min=1,
        max=90,
    ),
}
ESCROW_RELEASE_CAPS = params.declare(
    _G,
    "ESCROW_RELEASE_CAPS",
    "预售资金累计拨付上限",
    DEFAULT_CAPS,
    kind=Decimal,
    unit="%",
    source="本地预售资金监管办法",
    min=0,
    max=100,
    parts={
        "opened": "开户后、主体结构验收前",
        "structure": "主体结构验收后",
        "completion": "竣工验收后",
        "filing": "竣工验收备案后",
        "registration": "首次登记后",
    },
)
DEFAULTS = {name: param.default for name, param in PARAMS.items()}


def value(name: str) -> int:
    """The parameter ``<name>`` in force (参数设置, setting, environment, default)."""
    return PARAMS[name].get()


def release_cap(node: str) -> Decimal:
    """The cumulative release cap, in percent, once ``node`` is the furthest node reached."""
    return Decimal(ESCROW_RELEASE_CAPS.get()[node])
