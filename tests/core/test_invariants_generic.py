"""Generic tests over every declared legal rule (``core.invariants``): each rule's attacks
(writes that break it, supplied by its declaration) driven through every write path —
the ORM, the web form, the API, the Excel import, the admin (one record and bulk), the
delete page — must be refused with a message naming the rule's article, and leave nothing
stored. A new rule is picked up by itself."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.contrib import admin
from django.db import models, transaction
from django.test import RequestFactory
from django.urls import reverse

from tests.core.helpers import api_data, delete_confirmation, editor_for, form_data
from zhujian.core import invariants, versions
from zhujian.core.invariants import Attack, Invariant, RuleViolation
from zhujian.core.models import User, has_history
from zhujian.core.registry import registry
from zhujian.imports.columns import build_columns
from zhujian.imports.engine import import_rows

RULES = list(invariants.rules)
RULE_IDS = [r.code for r in RULES]

WRITE_PATHS = ["orm", "form", "api", "import", "admin"]
DELETE_PATHS = ["orm", "page", "api", "admin", "admin_bulk"]

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def _each_attack(rule: Invariant, kinds: set[str]):
    """Each attack of ``rule`` of the given kinds, each on a fresh set-up rolled back after."""
    count = _attacks_in(rule)
    for i in range(count):
        try:
            with transaction.atomic():
                attack = rule.attacks()[i]
                if attack.kind in kinds:
                    yield attack
                raise _Rollback
        except _Rollback:
            pass


def _attacks_in(rule: Invariant) -> int:
    try:
        with transaction.atomic():
            n = len(rule.attacks())
            raise _Rollback
    except _Rollback:
        return n


def _snapshot(rule: Invariant) -> dict[str, Any]:
    """Every row of every model the rule reads, and their history counts."""
    out: dict[str, Any] = {}
    for reads in rule.reads:
        model = reads.model
        out[model._meta.label] = list(model._default_manager.order_by("pk").values_list())
        if has_history(model):
            out[f"{model._meta.label}.history"] = model.history.model.objects.count()
    return out


def _built(attack: Attack) -> models.Model:
    """The record as the attack would write it (a copy; the stored target is untouched)."""
    if attack.target is None:
        obj = attack.model(**attack.values)
    else:
        obj = copy.copy(attack.model._default_manager.get(pk=attack.target.pk))
        for name, value in attack.values.items():
            setattr(obj, name, value)
    obj.derive()
    return obj


def _assert_names_article(rule: Invariant, text: str) -> None:
    assert rule.article in text and rule.law in text, text[:3000]


def _admin_request(user: User):
    request = RequestFactory().post("/admin/")
    request.user = user
    return request


def _model_admin(model: type[models.Model]) -> admin.ModelAdmin:
    return admin.site._registry.get(model) or admin.ModelAdmin(model, admin.site)


def test_every_rule_declares_attacks_and_dated_rules_a_backdated_one():
    assert RULES, "no rule declared"
    for rule in RULES:
        assert rule.attacks is not None, rule.code
        assert rule.article and rule.law and rule.title, rule.code
        for reads in rule.reads:
            assert registry.find(reads.model), f"{rule.code}: {reads.model} is not a ledger"


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_attacks_cover_create_and_the_backdated_entry(rule):
    kinds = []
    backdated = False
    try:
        with transaction.atomic():
            for attack in rule.attacks():
                kinds.append(attack.kind)
                backdated |= attack.backdated
            raise _Rollback
    except _Rollback:
        pass
    assert "create" in kinds, rule.code
    assert backdated or not rule.dated, f"{rule.code} depends on dates: attack with an earlier one"


@pytest.mark.parametrize("path", WRITE_PATHS)
@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_a_write_breaking_the_rule_is_refused_on_every_path(rule, path, admin_user, client):
    tried = 0
    for attack in _each_attack(rule, {"create", "update"}):
        tried += 1
        before = _snapshot(rule)
        _write(rule, attack, path, admin_user, client)
        assert _snapshot(rule) == before, f"{attack.label}: something was stored ({path})"
    assert tried, f"{rule.code} has no create or update attack"


@pytest.mark.parametrize("path", DELETE_PATHS)
@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_a_delete_breaking_the_rule_is_refused_on_every_path(rule, path, admin_user, client):
    tried = 0
    for attack in _each_attack(rule, {"delete"}):
        tried += 1
        before = _snapshot(rule)
        _delete(rule, attack, path, admin_user, client)
        assert _snapshot(rule) == before, f"{attack.label}: something was deleted ({path})"
    if not tried:
        pytest.skip(f"{rule.code}: its declaration supplies no deletion that breaks it")


def _write(rule: Invariant, attack: Attack, path: str, admin_user: User, client) -> None:
    ledger = registry.for_model(attack.model)
    label = f"{rule.code}: {attack.label} ({path})"
    if path == "orm":
        obj = _built(attack)
        with pytest.raises(RuleViolation) as refused:
            obj.save()
        _assert_names_article(rule, " ".join(refused.value.messages))
    elif path == "form":
        editor = editor_for(ledger)
        client.force_login(editor)
        data = form_data(ledger, _built(attack))
        if attack.target is None:
            url = reverse("web:ledger_create", args=[ledger.name])
        else:
            url = reverse("web:ledger_update", args=[ledger.name, attack.target.pk])
            data[versions.VERSION_FIELD] = versions.token(
                attack.model._default_manager.get(pk=attack.target.pk)
            )
        response = client.post(url, data)
        assert response.status_code == 400, label
        _assert_names_article(rule, response.content.decode())
    elif path == "api":
        editor = editor_for(ledger)
        client.force_login(editor)
        base = f"/api/ledgers/{ledger.name}/"
        if attack.target is None:
            response = client.post(
                base, api_data(ledger, _built(attack)), content_type="application/json"
            )
        else:
            changed = {
                k: v for k, v in api_data(ledger, _built(attack)).items() if k in attack.values
            }
            response = client.patch(
                f"{base}{attack.target.pk}/", changed, content_type="application/json"
            )
        assert response.status_code == 400, (label, response.content.decode()[:2000])
        _assert_names_article(rule, response.content.decode())
    elif path == "import":
        editor = editor_for(ledger)
        columns = build_columns(ledger)
        obj = _built(attack)
        cells = [col.format(getattr(obj, col.field_name)) for col in columns]
        result = import_rows(ledger, "数据", [[c.header for c in columns], cells], editor)
        assert not result.ok, label
        assert any(e.row == 2 and rule.article in e.reason for e in result.errors), [
            str(e) for e in result.errors
        ]
    elif path == "admin":
        model_admin = _model_admin(attack.model)
        obj = _built(attack)
        with pytest.raises(RuleViolation) as refused:
            model_admin.save_model(_admin_request(admin_user), obj, None, attack.target is not None)
        _assert_names_article(rule, " ".join(refused.value.messages))
    else:  # pragma: no cover
        raise AssertionError(path)


def _delete(rule: Invariant, attack: Attack, path: str, admin_user: User, client) -> None:
    ledger = registry.for_model(attack.model)
    target = attack.model._default_manager.get(pk=attack.target.pk)
    label = f"{rule.code}: {attack.label} ({path})"
    if path == "orm":
        with pytest.raises(RuleViolation) as refused:
            target.delete()
        assert target.pk == attack.target.pk  # rolled back: the instance keeps its key
        _assert_names_article(rule, " ".join(refused.value.messages))
    elif path == "page":
        editor = editor_for(ledger)
        client.force_login(editor)
        url = reverse("web:ledger_delete", args=[ledger.name, target.pk])
        response = client.post(url, delete_confirmation(target, editor))
        assert response.status_code == 400, label
        _assert_names_article(rule, response.content.decode())
    elif path == "api":
        client.force_login(editor_for(ledger))
        response = client.delete(f"/api/ledgers/{ledger.name}/{target.pk}/?cascade=true")
        assert response.status_code == 400, label
        _assert_names_article(rule, response.content.decode())
    elif path == "admin":
        with pytest.raises(RuleViolation) as refused:
            _model_admin(attack.model).delete_model(_admin_request(admin_user), target)
        _assert_names_article(rule, " ".join(refused.value.messages))
    elif path == "admin_bulk":  # the admin's "delete selected": a QuerySet.delete()
        queryset = attack.model._default_manager.filter(pk=target.pk)
        # (Django's Collector deletes in ``atomic(savepoint=False)``: the refusal rolls back
        # the enclosing transaction, here a savepoint standing for the admin's request.)
        with pytest.raises(RuleViolation) as refused, transaction.atomic():
            _model_admin(attack.model).delete_queryset(_admin_request(admin_user), queryset)
        _assert_names_article(rule, " ".join(refused.value.messages))
    else:  # pragma: no cover
        raise AssertionError(path)
