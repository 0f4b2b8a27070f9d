"""Model forms derived from a ledger declaration, limited to the user's scope."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from zhujian.core import scope, versions
from zhujian.core.models import OrgUnit, User
from zhujian.core.registry import Ledger, registry


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _formfield(f: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(f, models.DateTimeField):
        kwargs.setdefault("widget", forms.DateTimeInput(attrs={"type": "datetime-local"}))
    elif isinstance(f, models.DateField):
        kwargs.setdefault("widget", DateInput())
    elif isinstance(f, models.TextField):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
    return f.formfield(**kwargs)


class LedgerForm(versions.VersionedFormMixin, forms.ModelForm):
    """A ledger's form; editing an existing record it carries the record's version
    (``versions.VERSION_FIELD``), which the view checks before saving."""

    user: User
    ledger: Ledger

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field in self.fields.items():
            if name == versions.VERSION_FIELD:
                continue
            model_field = self.ledger.field(name)
            if isinstance(field, forms.ModelChoiceField):
                related = model_field.related_model
                if related is OrgUnit:
                    field.queryset = scope.org_units_for(user, "add").order_by("path")
                    field.label_from_instance = lambda u: (
                        f"{'　' * max(u.depth - 1, 0)}{u.name}（{u.code}）"
                    )
                elif registry.find(related) is not None:
                    field.queryset = scope.restrict(related._default_manager.all(), user)
            if name == self.ledger.line_field and hasattr(field, "choices"):
                allowed = set(scope.editable_lines(user, self.ledger))
                field.choices = [
                    (c, label) for c, label in field.choices if c in allowed or c == ""
                ]
            if field.required:
                field.widget.attrs["required"] = True
            field.widget.attrs.setdefault("aria-label", str(field.label))


def form_for(ledger: Ledger) -> type[LedgerForm]:
    return forms.modelform_factory(
        ledger.model,
        form=type(f"{ledger.model.__name__}Form", (LedgerForm,), {"ledger": ledger}),
        fields=list(ledger.form_fields or ()),
        formfield_callback=_formfield,
    )
