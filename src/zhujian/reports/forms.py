"""The report template editor's form: a template is saved only if it checks clean and
actually renders (for the default period, in the editor's scope)."""

from __future__ import annotations

from typing import Any

from django import forms

from zhujian.core.models import OrgUnit, Role, User
from zhujian.figures.periods import Period
from zhujian.reports import template as tpl
from zhujian.reports.build import build_report
from zhujian.reports.models import ReportTemplate

DEFAULT_PERIOD = "2022H1"


def scope_unit(user: User | None) -> OrgUnit | None:
    """A township user sees its own township's figures; others the whole county."""
    return user.org_unit if user is not None and user.role == Role.TOWNSHIP else None


def problems(title: str, body: str) -> list[str]:
    """Every problem of a title and body, in Chinese (the title's start with 标题：)."""
    titled = [p.replace("第1行：", "标题：", 1) for p in tpl.check(title)]
    return titled + tpl.check(body)


def render_problems(
    title: str, body: str, user: User | None, period: str = DEFAULT_PERIOD
) -> list[str]:
    """What goes wrong when the report is really built from this title and body: for
    ``period`` and under ``user``'s scope, as the report page would build it."""
    try:
        build_report(
            Period.parse(period),
            scope_unit(user),
            user,
            ReportTemplate(name="校验", title=title, body=body),
        )
    except tpl.TemplateError as exc:
        return [f"按 {period} 试生成报告失败：{exc}"]
    return []


def validate(title: str, body: str, user: User | None) -> list[str]:
    """Problems that keep a template from being saved: the static check, then a real build."""
    return problems(title, body) or render_problems(title, body, user)


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
        self,
        *args: Any,
        user: User | None = None,
        preview_url: str = "",
        readonly: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
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
        found = validate(data.get("title") or "", data.get("body") or "", self.user)
        if found:
            raise forms.ValidationError([forms.ValidationError(p, code="template") for p in found])
        return data
