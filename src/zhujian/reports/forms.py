"""The report template editor's form: the template's reference problems block saving."""

from __future__ import annotations

from typing import Any

from django import forms

from zhujian.reports import template as tpl
from zhujian.reports.models import ReportTemplate


def problems(title: str, body: str) -> list[str]:
    """Every problem of a title and body, in Chinese (the title's start with 标题：)."""
    titled = [p.replace("第1行：", "标题：", 1) for p in tpl.check(title)]
    return titled + tpl.check(body)


class ReportTemplateForm(forms.ModelForm):
    change_reason = forms.CharField(
        label="修改说明",
        max_length=100,
        required=False,
        help_text="记入版本历史，如“更新燃气部分的写法”",
    )

    class Meta:
        model = ReportTemplate
        fields = ["name", "title", "body"]
        widgets = {
            "title": forms.TextInput(attrs={"size": 80}),
            "body": forms.Textarea(attrs={"rows": 24, "cols": 100, "spellcheck": "false"}),
        }

    def __init__(
        self, *args: Any, preview_url: str = "", readonly: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if preview_url:  # live preview: htmx posts the whole form while typing
            live = {
                "hx-post": preview_url,
                "hx-trigger": "keyup changed delay:800ms",
                "hx-target": "#preview",
                "hx-swap": "innerHTML",
            }
            self.fields["title"].widget.attrs.update(live)
            self.fields["body"].widget.attrs.update(live)
        if readonly:  # shown, not editable (saving is refused to these users anyway)
            for f in self.fields.values():
                f.widget.attrs["readonly"] = "readonly"
        if self.instance.pk and self.instance.is_default:
            # The default template is found by its name: keep it.
            self.fields["name"].disabled = True
            self.fields["name"].help_text = "默认模板的名称不可修改"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        found = problems(data.get("title") or "", data.get("body") or "")
        if found:
            raise forms.ValidationError([forms.ValidationError(p, code="template") for p in found])
        return data
