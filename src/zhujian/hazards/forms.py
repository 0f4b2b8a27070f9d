"""Forms for the hazard loop: register a hazard, then one small form per step."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from zhujian.core import lines, scope, versions
from zhujian.core.models import User
from zhujian.hazards.models import Hazard, HazardStatus
from zhujian.web.forms import DateInput


def editable_lines(user: User) -> list[tuple[str, str]]:
    """The business lines whose hazards ``user`` may register and progress."""
    return [(code, label) for code, label in lines.CHOICES if scope.can(user, "add", code)]


class HazardForm(forms.ModelForm):
    """Register a hazard found by an inspection (or entered by hand)."""

    class Meta:
        model = Hazard
        fields = [
            "line",
            "org_unit",
            "source",
            "category",
            "description",
            "location",
            "photo",
            "found_on",
            "found_by",
        ]
        widgets = {"found_on": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = editable_lines(user)
        self.fields["org_unit"].queryset = scope.org_units_for(user, "add").order_by("path")


class StepForm(versions.VersionedFormMixin, forms.ModelForm):
    """One step of the loop; the model's ``clean`` checks the order of the steps, and the
    hidden version field that the hazard was not changed since the page was opened."""

    step: str = ""
    label: str = ""
    allowed_from: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != versions.VERSION_FIELD:
                field.required = name not in ("evidence_file", "rectification_evidence")

    def _update_errors(self, errors: ValidationError) -> None:
        # The model's rules may name a field of an earlier step; show those above the form.
        if hasattr(errors, "error_dict"):
            mapped: dict[str, list[Any]] = {}
            for name, messages in errors.error_dict.items():
                key = name if name in self.fields else NON_FIELD_ERRORS
                mapped.setdefault(key, []).extend(messages)
            errors = ValidationError(mapped)
        super()._update_errors(errors)


class NoticeForm(StepForm):
    step, label, allowed_from = "notice", "下达整改通知", (HazardStatus.FOUND,)

    class Meta:
        model = Hazard
        fields = ["notice_number", "notice_issued_on", "notice_deadline"]
        widgets = {"notice_issued_on": DateInput(), "notice_deadline": DateInput()}


class RectifyForm(StepForm):
    step, label, allowed_from = "rectify", "登记整改完成", (HazardStatus.NOTIFIED,)

    class Meta:
        model = Hazard
        fields = ["rectified_on", "rectification_evidence", "evidence_file"]
        widgets = {
            "rectified_on": DateInput(),
            "rectification_evidence": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("rectification_evidence") or "").strip() and not data.get("evidence_file"):
            self.add_error("rectification_evidence", "请填写整改情况或上传佐证材料")
        return data


class VerifyForm(StepForm):
    step, label, allowed_from = "verify", "验收销号", (HazardStatus.RECTIFIED,)

    class Meta:
        model = Hazard
        fields = ["verified_on", "verified_by"]
        widgets = {"verified_on": DateInput()}


STEPS: dict[str, type[StepForm]] = {f.step: f for f in (NoticeForm, RectifyForm, VerifyForm)}
