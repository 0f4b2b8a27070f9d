"""参数设置: the declared parameters and the statutory holiday calendar, with history.

Only administrators and users given the permission “可修改参数设置和法定节假日”
(``core.manage_parameters``) reach these pages: the values are county-wide, so there is no
unit scope to narrow them, and the permission is the gate. Every change needs a reason and
is kept with who and when (django-simple-history).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from zhujian.core import deadlines, params
from zhujian.core.models import CalendarYear, ParamValue, User

PERMISSION = "core.manage_parameters"


SECURITY_PERMISSION = "core.manage_security"


def can_manage_business(user: User) -> bool:
    """The county's parameters and the holiday calendar: the 系统管理员 (三员分立)."""
    return bool(user.is_authenticated and (user.is_admin or user.has_perm(PERMISSION)))


def can_manage_security(user: User) -> bool:
    """The security parameters (group “安全”): the 安全管理员 only."""
    return bool(user.is_authenticated and user.has_perm(SECURITY_PERMISSION))


def can_manage(user: User) -> bool:
    """May ``user`` see the 参数设置 pages (and change some of it)?"""
    return can_manage_business(user) or can_manage_security(user)


def can_edit(user: User, param: params.Param) -> bool:
    if param.group == "安全":
        return can_manage_security(user)
    return can_manage_business(user)


def _guard(request: HttpRequest, param: params.Param | None = None, calendar: bool = False) -> None:
    if not can_manage(request.user):
        raise PermissionDenied("只有系统管理员或被授予“参数设置”权限的人员可以查看和修改参数")
    if param is not None and not can_edit(request.user, param):
        raise PermissionDenied("安全参数只由安全管理员修改，其他参数只由系统管理员修改（三员分立）")
    if calendar and not can_manage_business(request.user):
        raise PermissionDenied("法定节假日由系统管理员录入（三员分立）")


def _history(limit: int = 30) -> list[dict[str, Any]]:
    """The latest changes of parameters and holiday years, newest first."""
    labels = {p.key: p.label for p in params.all_params()}
    kinds = {"+": "新增", "~": "修改", "-": "删除"}
    rows: list[dict[str, Any]] = []
    for h in ParamValue.history.select_related("history_user").order_by("-history_id")[:limit]:
        param = params.REGISTRY.get(h.key)
        try:
            shown = param.show(param.clean(h.value)) if param else str(h.value)
        except params.ParamError:  # a value the current bounds no longer accept
            shown = str(h.value)
        what = "恢复为配置或默认值" if h.history_type == "-" else f"设为 {shown}"
        rows.append(
            {
                "at": h.history_date,
                "user": h.history_user,
                "what": f"{labels.get(h.key, '已停用的参数')}：{what}",
                "kind": kinds[h.history_type],
                "reason": h.reason,
            }
        )
    for h in CalendarYear.history.select_related("history_user").order_by("-history_id")[:limit]:
        rows.append(
            {
                "at": h.history_date,
                "user": h.history_user,
                "what": f"{h.year}年法定节假日（{h.notice}）",
                "kind": kinds[h.history_type],
                "reason": h.reason,
            }
        )
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:limit]


@login_required
def params_page(request: HttpRequest) -> HttpResponse:
    _guard(request)
    groups: dict[str, list[dict[str, Any]]] = {}
    for param in params.all_params():
        try:
            value, origin = param.resolved()
            shown, error = param.show(value), ""
        except params.ParamError as exc:
            shown, origin, error = "", "", str(exc)
        groups.setdefault(param.group, []).append(
            {
                "param": param,
                "value": shown,
                "origin": origin,
                "error": error,
                "editable": can_edit(request.user, param),
            }
        )
    today = timezone.localdate()
    cal = deadlines.calendar()
    stored = {row.year: row for row in CalendarYear.objects.select_related("changed_by")}
    library = deadlines.library_years()
    years = []
    for year in sorted({*range(today.year - 1, today.year + 2), *stored}):
        source = "本页录入" if year in stored else ("节假日库" if year in library else "")
        years.append({"year": year, "source": source, "row": stored.get(year)})
    return render(
        request,
        "web/params.html",
        {
            "groups": groups,
            "years": years,
            "library_range": f"{min(library)}—{max(library)}",
            "missing": deadlines.missing_years(today),
            "known": bool(cal.years),
            "history": _history(),
            "can_calendar": can_manage_business(request.user),
        },
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="修改原因", max_length=200, help_text="如：依据某某文件调整")


def _param_form(param: params.Param, data: Any = None, initial: Any = None) -> forms.Form:
    form = ReasonForm(data)
    if param.parts:
        for code, label in param.parts.items():
            form.fields[f"part:{code}"] = forms.CharField(
                label=f"{label}{f'（{param.unit}）' if param.unit else ''}",
                max_length=40,
                initial=(initial or {}).get(code),
            )
    else:
        form.fields["value"] = forms.CharField(
            label=f"{param.label}{f'（{param.unit}）' if param.unit else ''}",
            max_length=200,
            initial=initial,
        )
    form.order_fields([f for f in form.fields if f != "reason"] + ["reason"])
    return form


@login_required
def param_edit(request: HttpRequest, key: str) -> HttpResponse:
    _guard(request)
    params.all_params()
    param = params.REGISTRY.get(key)
    if param is None:
        raise Http404("没有这个参数")
    _guard(request, param)
    try:
        current, origin = param.resolved()
    except params.ParamError:
        current, origin = param.clean(param.default), "默认"
    form = _param_form(param, request.POST or None, current)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        try:
            with transaction.atomic():
                if "reset" in request.POST:
                    params.reset(key, user=request.user, reason=reason)
                    messages.success(request, f"“{param.label}”已恢复为配置或默认值")
                else:
                    if param.parts:
                        raw: Any = {c: form.cleaned_data[f"part:{c}"] for c in param.parts}
                    else:
                        raw = form.cleaned_data["value"]
                    value = params.set_value(key, raw, user=request.user, reason=reason)
                    messages.success(request, f"“{param.label}”已设为 {param.show(value)}")
            return redirect("web:params")
        except params.ParamError as exc:
            form.add_error(None, str(exc))
    return render(
        request,
        "web/param_form.html",
        {
            "param": param,
            "form": form,
            "origin": origin,
            "stored": key in params.stored_keys(),
            "default_shown": param.show(param.clean(param.default)),
        },
    )


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "notice", "holidays", "workdays", "reason"]
        widgets = {
            "holidays": forms.Textarea(attrs={"rows": 8}),
            "workdays": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].min_value = 2000
        self.fields["year"].max_value = 2100
        self.fields["year"].widget.attrs.update(min=2000, max=2100)
        self.fields["holidays"].max_length = 2000
        self.fields["workdays"].max_length = 1000
        if self.instance.pk:
            self.fields["year"].disabled = True
        self.initial.pop("reason", None)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError("年度应在 2000 至 2100 之间")
        return year

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        year = data.get("year")
        if year is None:
            return data
        for name, label, weekend in (
            ("holidays", "放假日期", False),
            ("workdays", "调休上班日期", True),
        ):
            try:
                deadlines.parse_days(data.get(name) or "", year, what=label, weekend_only=weekend)
            except deadlines.CalendarTextError as exc:
                self.add_error(name, str(exc))
        return data


@login_required
def calendar_year_edit(request: HttpRequest, year: int | None = None) -> HttpResponse:
    _guard(request, calendar=True)
    instance = CalendarYear.objects.filter(year=year).first() if year else None
    if year and instance is None:
        instance = CalendarYear(year=year)
    if instance is not None and not 2000 <= instance.year <= 2100:
        raise Http404("没有这个年度")
    form = CalendarYearForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        row = form.save(commit=False)
        row.changed_by = request.user
        row._change_reason, row._history_user = row.reason, request.user
        with transaction.atomic():
            row.save()
        messages.success(request, f"{row.year}年法定节假日安排已保存，期限计算即刻按此执行")
        return redirect("web:params")
    year_value = instance.year if instance else None
    return render(
        request,
        "web/calendar_year_form.html",
        {"form": form, "year": year_value},
    )
