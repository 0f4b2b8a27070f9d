"""Third security audit (docs/decisions/audit-3.md): device secrets. The LPG device page
showed the token's digest to every reader (and its history showed each new digest), and
the one-time token page, like every page that shows a full personal value or an HJ 212
device password, could be kept by a browser or proxy cache (no ``Cache-Control: no-store``).
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from tests.conftest import login
from tests.core.helpers import editor_for
from zhujian.core import personal, scope
from zhujian.core.registry import registry
from zhujian.domains.lpg.models import ScanDevice
from zhujian.domains.lpg.models.scans import hash_token

pytestmark = pytest.mark.django_db

LOOKS_SECRET = re.compile(r"hash|token|secret|password|passwd|令牌|密码|密钥", re.I)

# Reviewed: shown on purpose.
NOT_SECRET = {
    ("lpg_scandevice", "token_hint"): "the first characters, to tell tokens apart",
    ("lpg_scandevice", "token_issued_at"): "when, not what",
}


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_a_reader_never_sees_the_device_token_digest(client, user):
    device = ScanDevice.objects.first()
    token = device.issue_token()
    device.save()
    device.issue_token()  # a second token: the history now holds a change of digest
    device.save()
    for who in ("leader", "admin", editor_for(registry.get("lpg_scandevice")).username):
        login(client, user(who))
        body = client.get(f"/ledgers/lpg_scandevice/{device.pk}/").content.decode()
        assert device.token_hash not in body, who
        assert hash_token(token) not in body, who  # the previous digest, from the history
        assert "令牌摘要" not in body, who


@pytest.mark.parametrize("ledger", [lg for lg in registry if lg.hidden], ids=lambda lg: lg.name)
def test_hidden_fields_show_nowhere(client, user, ledger):
    """Generic: a ledger's hidden fields are on no page, API answer or export."""
    login(client, user("admin"))
    obj = ledger.model._default_manager.exclude(**{f"{ledger.hidden[0]}__isnull": True}).first()
    if obj is None:
        obj = ledger.model._default_manager.first()
        obj.issue_token()  # the only hidden field today: a device token's digest
        obj.save()
    values = [str(getattr(obj, name)) for name in ledger.hidden]
    pages = [
        f"/ledgers/{ledger.name}/{obj.pk}/",
        f"/ledgers/{ledger.name}/",
        f"/api/ledgers/{ledger.name}/{obj.pk}/",
        f"/api/ledgers/{ledger.name}/?unmask=1",
    ]
    for url in pages:
        body = client.get(url).content.decode()
        for value in values:
            assert value not in body, url
    export = client.get(f"/ledgers/{ledger.name}/export.xlsx?unmask=1")
    assert export.status_code == 200
    cells = {
        str(c.value) for row in load_workbook(io.BytesIO(export.getvalue())).active for c in row
    }
    assert not set(values) & cells


def test_every_field_that_looks_like_a_credential_is_masked_or_hidden():
    """Same class elsewhere: a new digest or password field fails this test until it is
    declared personal (SECRET, masked), hidden, or reviewed above."""
    loose = [
        (lg.name, f.name)
        for lg in registry
        for f in lg.model._meta.concrete_fields
        if LOOKS_SECRET.search(f"{f.name} {f.verbose_name}")
        and not personal.is_personal(lg, f.name)
        and f.name not in lg.hidden
        and (lg.name, f.name) not in NOT_SECRET
    ]
    assert loose == []


def test_the_one_time_token_page_is_no_store(client, user):
    device = ScanDevice.objects.first()
    login(client, user("admin"))
    response = client.post(f"/lpg/devices/{device.pk}/token/")
    assert response.status_code == 200
    assert "lpg_" in response.content.decode()
    assert _no_store(response)
    # and the device page the user goes back to is no secret: it may be cached as usual
    assert not _no_store(client.get(f"/ledgers/lpg_scandevice/{device.pk}/"))


@pytest.mark.parametrize(
    "ledger",
    [lg for lg in registry if personal.personal_fields(lg)],
    ids=lambda lg: lg.name,
)
def test_every_page_that_shows_a_full_personal_value_or_password_is_no_store(client, user, ledger):
    """Generic over the ledgers with personal fields, the HJ 212 device password
    (sitemonitor_deviceprotocol) among them: detail page, edit form, API and export."""
    editor = editor_for(ledger)
    names = list(personal.personal_fields(ledger))
    qs = ledger.model._default_manager.exclude(**{names[0]: ""})
    obj = next((o for o in qs[:50] if scope.may_reveal(editor, ledger, o)), None)
    if obj is None:
        pytest.skip("no record with a value this ledger's editor may see in the demo")
    login(client, editor)
    urls = [
        f"/ledgers/{ledger.name}/{obj.pk}/",
        f"/ledgers/{ledger.name}/{obj.pk}/edit/",
        f"/api/ledgers/{ledger.name}/{obj.pk}/?unmask=1",
        f"/ledgers/{ledger.name}/export.xlsx?unmask=1",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), url
    # a reader who sees the masks only gets an ordinary page
    login(client, user("leader"))
    assert not _no_store(client.get(f"/ledgers/{ledger.name}/{obj.pk}/"))
