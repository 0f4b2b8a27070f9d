"""What an escrow account's record page shows: the balance, the cap of the
construction node reached today and what may still be released (可拨付), with the numbers
the release rule (``realestate.invariants``) checks."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Sum

from zhujian.core.registry import registry
from zhujian.domains.realestate.models.escrow import CENT, NODE_PHRASES, EscrowAccount


def escrow_position(account: EscrowAccount, day: dt.date) -> dict[str, Any]:
    """Deposited, released, balance, the node's cap and 可拨付 on ``day``."""
    deposited = account.deposited_by(day)
    released = account.releases.filter(released_on__lte=day).aggregate(s=Sum("amount"))[
        "s"
    ] or Decimal(0)
    cap = account.cap_on(day)
    node, percent = cap if cap is not None else ("", Decimal(0))
    limit = (deposited * percent / 100).quantize(CENT, rounding=ROUND_DOWN)
    return {
        "day": day,
        "deposited": deposited,
        "released": released,
        "balance": deposited - released,
        "node": NODE_PHRASES.get(node, "尚未开户") if node else "尚未开户",
        "percent": percent,
        "limit": limit,
        "available": max(limit - released, Decimal(0)),
    }


@registry.detail_panel
def escrow_panel(ledger: Any, obj: Any, user: Any) -> dict[str, Any] | None:
    if not isinstance(obj, EscrowAccount):
        return None
    return {
        "template": "realestate/_escrow_panel.html",
        **escrow_position(obj, dt.date.today()),
    }
