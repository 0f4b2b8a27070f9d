"""The form that issues a data request, with its items defined in the page."""

from __future__ import annotations

from typing import Any

from django import forms

from zhujian.core.models import User
from zhujian.core.registry import registry
from zhujian.figures import catalog
from zhujian.figures.periods import Period, PeriodError
from zhujian.requests import service
from zhujian.requests.models import DataRequest, Measure

MEASURE_ROWS = 6


def figure_choices() -> list[tuple[str, str]]:
    return [("", "（不预填）")] + [
        (f.id, f"{f.label}（{f.unit}）" if f.unit else f.label)
        for f in catalog.all_figures()
        if f.source == "records" and not f.id.startswith("requests.")
    ]


def field_choices() -> list[tuple[str, str]]:
    """Record fields a measure may be bound to: numeric or text fields of ledgers whose
    records are dated (one record per unit and period)."""
    from django.db import models

    out = [("", "（不绑定）")]
    for ledger in registry:
        if not ledger.date_field:
            continue
        for name in ledger.form_fields or []:
            f = ledger.field(name)
            if isinstance(f, models.IntegerField | models.DecimalField | models.CharField):
                if getattr(f, "choices", None) or f.is_relation:
                    continue
                if type(f).__module__ == "zhujian.core.crypto":  # personal data: never
                    continue
                out.append((f"{ledger.name}.{name}", f"{ledger.label} · {f.verbose_name}"))
    return out


class RequestForm(forms.Form):
    title = forms.CharField(label="任务名称", max_length=100)
    period = forms.CharField(
        label="报送期间", max_length=32, help_text="如 2022H1（上半年）、2022Q3、2022-05"
    )
    deadline = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="报送内容", choices=DataRequest.Kind.choices)
    units = forms.MultipleChoiceField(
        label="报送单位", widget=forms.CheckboxSelectMultiple, choices=()
    )
    levels = forms.MultipleChoiceField(
        label="审核层级",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(c, lv.label) for c, lv in service.LEVELS.items()],
        initial=["issuer"],
        help_text="乡镇报送后依次由所选层级审核；不选则报送即完成",
    )
    recurrence = forms.ChoiceField(
        label="重复", choices=DataRequest.Recurrence.choices, required=False
    )
    ledgers = forms.MultipleChoiceField(
        label="报送的台账（报送内容为台账记录时）",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.unit_objects = {str(u.pk): u for u in service.target_units(user)}
        self.fields["units"].choices = [(k, u.name) for k, u in self.unit_objects.items()]
        self.fields["ledgers"].choices = [
            (lg.name, f"{lg.line_label} · {lg.label}") for lg in registry if lg.date_field
        ]
        figures, fields = figure_choices(), field_choices()
        for i in range(MEASURE_ROWS):
            self.fields[f"m{i}_label"] = forms.CharField(
                label=f"数据项{i + 1}", max_length=60, required=False
            )
            self.fields[f"m{i}_kind"] = forms.ChoiceField(
                label="类型", choices=Measure.Kind.choices, required=False
            )
            self.fields[f"m{i}_unit"] = forms.CharField(
                label="计量单位", max_length=10, required=False
            )
            self.fields[f"m{i}_figure"] = forms.ChoiceField(
                label="预填指标", choices=figures, required=False
            )
            self.fields[f"m{i}_bind"] = forms.ChoiceField(
                label="绑定记录字段", choices=fields, required=False
            )

    def measure_rows(self) -> list[list[forms.BoundField]]:
        names = ("label", "kind", "unit", "figure", "bind")
        return [[self[f"m{i}_{n}"] for n in names] for i in range(MEASURE_ROWS)]

    def clean_period(self) -> str:
        try:
            return Period.parse(self.cleaned_data["period"].strip()).code
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from None

    def measures(self) -> list[service.MeasureSpec]:
        out = []
        for i in range(MEASURE_ROWS):
            label = (self.cleaned_data.get(f"m{i}_label") or "").strip()
            if not label:
                continue
            ledger, _, field = (self.cleaned_data.get(f"m{i}_bind") or "").partition(".")
            out.append(
                service.MeasureSpec(
                    label=label,
                    kind=self.cleaned_data.get(f"m{i}_kind") or Measure.Kind.COUNT,
                    unit_label=self.cleaned_data.get(f"m{i}_unit") or "",
                    figure_id=self.cleaned_data.get(f"m{i}_figure") or "",
                    ledger=ledger,
                    field=field,
                )
            )
        return out

    def unit_list(self) -> list[Any]:
        return [self.unit_objects[k] for k in self.cleaned_data["units"]]
