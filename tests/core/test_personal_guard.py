"""Every ledger field that looks like personal data is declared (``core.personal``) or was
reviewed and listed here with the reason it needs no masking (audit 2: the LPG users'
phones had been left undeclared — shown in full and searchable county-wide).

A new ledger with a phone, ID or bank card field fails this test until its author either
declares it (``Ledger(personal=PersonalData(...))``) or adds it below with a reason."""

from __future__ import annotations

import re

from zhujian.core import personal
from zhujian.core.crypto import BlindIndexField
from zhujian.core.registry import registry

LOOKS_PERSONAL = re.compile(
    r"phone|mobile|id_number|id_masked|bank_card|card_no|身份证|电话|手机|银行卡|证件号", re.I
)

REVIEWED = {
    # Stored masked only (3713**********1234): the model refuses a full number.
    ("lpg_customer", "id_masked"): "masked at entry",
    ("rural_toilethousehold", "id_number"): "masked at entry",
    ("rural_dilapidatedhousing", "id_number"): "masked at entry",
    ("housing_demolitionhousehold", "id_number"): "masked at entry",
    ("housing_roundhousehold", "id_number"): "masked at entry",
    ("housing_rentalsubsidy", "id_number"): "masked at entry",
    ("housing_tenancy", "id_number"): "masked at entry",
    # A business's published contact number, not a person's.
    ("lpg_station", "phone"): "station's business number",
    ("urban_gascompany", "phone"): "company's business number",
    ("urban_emergencyteam", "phone"): "team's duty number",
    ("construction_enterprise", "phone"): "enterprise's business number",
    # Emergency call-out list: every flood-line reader must be able to ring a member.
    ("urban_emergencymember", "phone"): "call-out list (lead to confirm)",
}


def _candidates() -> set[tuple[str, str]]:
    found = set()
    for ledger in registry:
        for f in ledger.model._meta.get_fields():
            if not getattr(f, "concrete", False) or f.is_relation:
                continue
            if isinstance(f, BlindIndexField):
                continue  # a keyed hash of an encrypted number (core.crypto), not the number
            if LOOKS_PERSONAL.search(f"{f.name} {f.verbose_name}"):
                found.add((ledger.name, f.name))
    return found


def test_every_field_that_looks_personal_is_declared_or_reviewed():
    undeclared = {
        (name, field)
        for name, field in _candidates()
        if not personal.is_personal(registry.get(name), field)
    }
    assert undeclared - REVIEWED.keys() == set()


def test_masked_at_entry_fields_refuse_a_full_id_number(db):  # clean() reads parameters
    full = "37131219800101" + "123"
    full += personal.id_check_digit(full)
    for (name, field), why in REVIEWED.items():
        if why != "masked at entry":
            continue
        model = registry.get(name).model
        obj = model(**{field: full})
        problems = []
        try:
            obj.full_clean(validate_unique=False, validate_constraints=False)
        except Exception as exc:  # ValidationError: the field's message is among them
            problems = getattr(exc, "message_dict", {}).get(field, [])
        assert problems, f"{name}.{field} accepts a full ID number"


def test_the_review_list_names_no_field_that_no_longer_exists():
    assert REVIEWED.keys() <= _candidates()
