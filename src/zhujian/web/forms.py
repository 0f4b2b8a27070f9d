"""Model forms derived from a ledger declaration, limited to the user's scope."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models

from zhujian.core import bounds, claims, codes, personal, scope, versions
from zhujian.core.models import OrgUnit, User
from zhujian.core.registry import Ledger, registry
from zhujian.web import units


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
        # A correction needs a reason: asked where the form can change a stored claim.
        stored = [
            name
            for name in claims.fields_of(self.instance)
            if name in self.fields and getattr(self.instance, name, None) not in (None, "")
        ]
        if self.instance.pk and stored:
            self.fields[claims.REASON_FIELD] = forms.CharField(
                label=claims.REASON_LABEL,
                required=False,
                max_length=claims.REASON_MAX_LENGTH,
                help_text="更改已登记的日期（影响法定期限）时必填，记入修改历史",
            )
        self.masked_on_entry: set[str] = set()
        for name, field in self.fields.items():
            if name in (versions.VERSION_FIELD, claims.REASON_FIELD):
                continue
            model_field = self.ledger.field(name)
            if isinstance(field, forms.ModelChoiceField):
                related = model_field.related_model
                if related is OrgUnit:  # a 乡镇 → 村 cascader, not a select of every unit
                    field = self.fields[name] = units.UnitField(
                        queryset=scope.org_units_for(user, "add").order_by("path"),
                        user=user,
                        label=field.label,
                        required=field.required,
                        help_text=field.help_text,
                        initial=field.initial,
                        empty_label=None,
                    )
                elif registry.find(related) is not None:
                    field.queryset = scope.restrict(related._default_manager.all(), user)
            if personal.masked_on_entry(model_field):  # the system masks, not the clerk
                field.label = str(field.label).removesuffix(personal.MASKED_ON_ENTRY_MARK)
                field.help_text = personal.MASKED_ON_ENTRY_HELP
                field.widget.attrs.update(placeholder="18位身份证号")
                self.masked_on_entry.add(name)
            _bound(field, model_field)
            if name == self.ledger.line_field and hasattr(field, "choices"):
                allowed = set(scope.editable_lines(user, self.ledger))
                field.choices = [
                    (c, label) for c, label in field.choices if c in allowed or c == ""
                ]
            if name in self.ledger.assigned_codes:
                # County-wide, assigned by the platform (core.codes): a township user can
                # neither type nor change one; a new record's is assigned on saving.
                field.required = False
                if not codes.types_codes(user):
                    field.disabled = True
                    field.help_text = "由系统自动编号"
            if field.required:
                field.widget.attrs["required"] = True
            field.widget.attrs.setdefault("aria-label", str(field.label))

    def _clean_fields(self) -> None:
        super()._clean_fields()
        for name in self.masked_on_entry & set(self.cleaned_data):
            try:
                self.cleaned_data[name] = personal.mask_on_entry(self.cleaned_data[name])
            except forms.ValidationError as exc:
                self.add_error(name, exc)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # A personal value the form showed masked and got back unchanged stays as stored.
        personal.restore_masked(self.ledger, self.instance if self.instance.pk else None, cleaned)
        # Any other masked value would replace a real number by its mask: refused for every
        # personal field, whether or not the field has a validator of its own.
        for name in personal.masked_values(self.ledger, cleaned):
            self.add_error(name, personal.MASKED_REFUSED)
        claims.set_reason(self.instance, cleaned.get(claims.REASON_FIELD))
        return cleaned


def _bound(field: forms.Field, model_field: models.Field) -> None:
    """The bounds imports and the API apply (``zhujian.core.bounds``), on a form field."""
    if isinstance(model_field, models.IntegerField) and not model_field.choices:
        lo, hi = bounds.value_range(model_field)
        if lo is not None:
            field.validators.append(MinValueValidator(lo))
            field.widget.attrs.setdefault("min", lo)
        if hi is not None:
            field.validators.append(MaxValueValidator(hi))
            field.widget.attrs.setdefault("max", hi)
    elif isinstance(model_field, models.DateField):
        field.validators.append(_date_in_range)
    elif isinstance(field, forms.CharField) and (limit := bounds.text_max_length(model_field)):
        if not field.max_length:
            field.max_length = limit
            field.validators.append(MaxLengthValidator(limit))
            field.widget.attrs.setdefault("maxlength", limit)


def _date_in_range(value: Any) -> None:
    try:
        bounds.check_date(value)
    except bounds.BoundsError as exc:
        raise forms.ValidationError(str(exc)) from None


def form_for(ledger: Ledger) -> type[LedgerForm]:
    return forms.modelform_factory(
        ledger.model,
        form=type(f"{ledger.model.__name__}Form", (LedgerForm,), {"ledger": ledger}),
        fields=list(ledger.form_fields or ()),
        formfield_callback=_formfield,
    )
