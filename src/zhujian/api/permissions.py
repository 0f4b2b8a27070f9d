from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from zhujian.core import scope

ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class LedgerPermission(BasePermission):
    """Signed in, and allowed the method's action on the view's business line."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        ledger = getattr(view, "ledger", None)
        if ledger is None:
            return True
        return scope.can_ledger(request.user, ACTIONS.get(request.method, "change"), ledger)
