"""OpenAPI details derived from the ledger registry."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from zhujian.core.registry import registry


def name_choice_sets() -> None:
    """Give every choice set of every ledger an enum name of its own in the schema.

    drf-spectacular names an enum after its field; with dozens of ledgers many fields are
    called ``kind`` or ``status`` with different choices, and it falls back to hashed names
    (``Kind6d6Enum``) with a warning that ``check --deploy`` reports. A name per model and
    field is stable and says where the choices come from. Declared overrides win."""
    overrides: dict[str, Any] = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
    taken = {str(v) for v in overrides.values()}
    for ledger in registry:
        for field in ledger.model._meta.concrete_fields:
            if not field.choices or isinstance(field, models.BooleanField):
                continue
            choices = [(value, str(label)) for value, label in field.flatchoices]
            if str(choices) in taken:
                continue
            name = f"{ledger.model.__name__}{field.name.title().replace('_', '')}Enum"
            overrides.setdefault(name, choices)
            taken.add(str(choices))
