from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zhujian.core import scope
from zhujian.core.registry import registry


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The sidebar: business lines and their ledgers, for a signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    groups = [
        {"line": line, "ledgers": ledgers, "editable": scope.can_edit_line(user, line.code)}
        for line, ledgers in registry.by_line()
    ]
    from zhujian.web.param_views import can_manage

    can_manage_params = can_manage(user)
    return {"nav_groups": groups, "can_manage_params": can_manage_params}
