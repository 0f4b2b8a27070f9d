"""Third security audit (docs/decisions/audit-3.md): list pages sorted by masked personal
fields (ID and bank-card numbers), which told every reader the order of values they only
see masked. Generic over every ledger: each personal field of the ledger, and each list
column that reaches a personal field of a linked record, is tried as a sort key on the
list page and the API, ascending and descending."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login
from zhujian.core import personal
from zhujian.core.registry import registry

pytestmark = pytest.mark.django_db

ROW_LINK = re.compile(r'href="/ledgers/[a-z0-9_]+/(\d+)/"')


def _attacks() -> list[tuple[str, str]]:
    """(ledger, sort key) for every personal field and every personal list column."""
    found = set()
    for ledger in registry:
        for name in personal.personal_fields(ledger):
            found.add((ledger.name, name))
        for column in ledger.list_display:
            if personal.reaches_personal(ledger.model, column):
                found.add((ledger.name, column))
    return sorted(found)


ATTACKS = _attacks()


def _page_pks(client, ledger: str, query: str) -> list[int]:
    response = client.get(f"/ledgers/{ledger}/?{query}")
    assert response.status_code == 200
    return [int(pk) for pk in ROW_LINK.findall(response.content.decode())]


def _api_pks(client, ledger: str, query: str) -> list[int]:
    response = client.get(f"/api/ledgers/{ledger}/?{query}")
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def _distinct_values(ledger: str, key: str, pks: list[int]) -> int:
    model = registry.get(ledger).model
    return len(set(model._default_manager.filter(pk__in=pks).values_list(key, flat=True)))


def test_the_generic_attack_list_covers_the_masked_list_columns():
    assert ("wages_worker", "id_number") in ATTACKS
    assert ("wages_wagepayment", "payee_card") in ATTACKS
    assert ("realestate_salescontract", "buyer_id_number") in ATTACKS


@pytest.mark.parametrize(("ledger", "key"), ATTACKS)
def test_a_list_page_is_never_sorted_by_a_masked_field(client, user, ledger, key):
    login(client, user("admin"))  # even the administrator sees lists masked
    default = _page_pks(client, ledger, "")
    for order in (key, "-" + key):
        assert _page_pks(client, ledger, f"o={order}") == default, order
    body = client.get(f"/ledgers/{ledger}/").content.decode()
    assert f"o={key}" not in body  # no sort link on a masked column


@pytest.mark.parametrize(("ledger", "key"), ATTACKS)
def test_the_api_is_never_sorted_by_a_masked_field(client, user, ledger, key):
    login(client, user("admin"))
    default = _api_pks(client, ledger, "")
    for order in (key, "-" + key):
        assert _api_pks(client, ledger, f"ordering={order}") == default, order


def test_the_attack_would_show_an_order_on_the_demo_data(client, user):
    """The generic tests above cannot pass for want of data: the demo holds several
    distinct numbers on the first page of the masked list columns."""
    login(client, user("admin"))
    for ledger, key in [("wages_worker", "id_number"), ("wages_wagepayment", "payee_card")]:
        assert _distinct_values(ledger, key, _page_pks(client, ledger, "")) >= 2, ledger


def test_no_search_filter_or_ordering_reaches_a_personal_field_of_a_linked_record():
    """The declaration check looks at the ledger's own fields; a path through a linked
    record (``worker__id_number``) leaks the same way."""
    leaks = [
        (ledger.name, where, path)
        for ledger in registry
        for where, paths in (
            ("search", ledger.search),
            ("filters", ledger.filters),
            ("ordering", ledger.ordering),
        )
        for path in paths
        if personal.reaches_personal(ledger.model, path)
    ]
    assert leaks == []
