"""The local and legal numbers of the real-estate ledgers, each a setting.

Read at call time (a province's value or a test takes effect without a restart).

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

from django.conf import settings

DEFAULT_CAPS: dict[str, int] = {
    "opened": 50,
    "structure": 95,
    "completion": 99,
    "filing": 99,
    "registration": 100,
}
DEFAULTS = {
    "PRESALE_MIN_INVESTMENT_PERCENT": 25,
    "PRESALE_DECISION_DAYS": 10,
    "CONTRACT_FILING_DAYS": 30,
}


def value(name: str) -> int:
    """The setting ``ZHUJIAN_<name>``, or its default."""
    return int(getattr(settings, f"ZHUJIAN_{name}", DEFAULTS[name]))


def release_cap(node: str) -> Decimal:
    """The cumulative release cap, in percent, once ``node`` is the furthest node reached."""
    caps = {**DEFAULT_CAPS, **getattr(settings, "ZHUJIAN_ESCROW_RELEASE_CAPS", {})}
    return Decimal(str(caps[node]))
