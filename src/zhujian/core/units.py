"""Finding org units by what people type: a code, or a 村/乡镇 name (exact first), always
inside the viewer's scope and bounded. Used by list filters, imports of typed names and the
web's unit cascader (``zhujian.web.units``)."""

from __future__ import annotations

from django.db.models import Q

from zhujian.core import scope
from zhujian.core.models import VILLAGE_KINDS, OrgUnit, User

MAX_QUERY = 20  # characters of a typed name
MAX_FOUND = 20  # units a search returns
MAX_CHILDREN = 300  # units of one list (a township has well under 100 villages)


def first_level(user: User, action: str = "view") -> list[OrgUnit]:
    """The cascader's first list: every unit in scope but the 村（社区） (the county, its
    乡镇/街道, the bureau's 股室 and units), 乡镇 in the county's order."""
    qs = scope.org_units_for(user, action).exclude(kind__in=VILLAGE_KINDS)
    return list(qs.order_by("path")[:MAX_CHILDREN])


def search(user: User, text: str, action: str = "view") -> list[OrgUnit]:
    """Units in the user's scope whose name contains ``text`` (乡镇 and 村, exact names
    first), at most :data:`MAX_FOUND`."""
    text = text.strip()[:MAX_QUERY]
    if not text:
        return []
    qs = scope.org_units_for(user, action).filter(Q(name__icontains=text) | Q(code=text))
    found = list(qs.select_related("parent").order_by("path")[: MAX_FOUND * 5])
    found.sort(key=lambda u: (u.name != text, not u.name.startswith(text), u.path))
    return found[:MAX_FOUND]


def resolve(user: User, value: str, action: str = "view") -> list[OrgUnit]:
    """The units a filter value names: a 12-digit code, or a name (exact first, then the
    units containing it). Empty when nothing in the user's scope matches."""
    value = (value or "").strip()[:MAX_QUERY]
    if not value:
        return []
    units = scope.org_units_for(user, action)
    if value.isdigit():
        return list(units.filter(code=value[:12]))
    exact = list(units.filter(name=value)[:MAX_FOUND])
    return exact or search(user, value, action)
