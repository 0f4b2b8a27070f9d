"""Marking a return ready: its checks run first; a hard failure refuses, a large
year-on-year change needs its explanation."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from zhujian.core.models import OrgUnit, User
from zhujian.statistics import checks, scopes
from zhujian.statistics.compute import Filled
from zhujian.statistics.models import ReturnStatus


class NotReady(ValueError):
    """The return cannot be marked ready (the message lists the failing checks)."""


def status_unit(filled: Filled) -> OrgUnit:
    """The unit a return's state is kept for: the county, or the one town shown."""
    if filled.scope == "county" or len(filled.columns) != 1:
        root = scopes.county_root()
        if root is None:
            raise NotReady("没有县级组织单位")
        return root
    return filled.columns[0].units[0]


def current(filled: Filled) -> ReturnStatus | None:
    return ReturnStatus.objects.filter(
        year=filled.year, scope=filled.scope, unit=status_unit(filled)
    ).first()


def explanations(filled: Filled) -> dict[str, str]:
    found = current(filled)
    return dict(found.explanations) if found else {}


@transaction.atomic
def mark_ready(filled: Filled, user: User, given: dict[str, str]) -> ReturnStatus:
    """Run the checks with the explanations ``given`` (check key → text) and store the
    return as ready; :class:`NotReady` names every blocking finding."""
    notes = {k: v.strip()[:500] for k, v in given.items() if v and v.strip()}
    findings = checks.run(filled, notes)
    blocking = [f for f in findings if f.blocking]
    if blocking:
        lines = [
            f"{f.check.code} {f.message}" + ("（请填写原因）" if f.check.soft else "")
            for f in blocking
        ]
        raise NotReady("审核未通过，不能标记为可报送：" + "；".join(lines))
    row, _ = ReturnStatus.objects.select_for_update().get_or_create(
        year=filled.year, scope=filled.scope, unit=status_unit(filled)
    )
    row.explanations = {f.key: f.explained for f in findings if f.explained}
    row.ready, row.marked_by, row.marked_at = True, user, timezone.now()
    row.save()
    return row
