"""Choosing an org unit: a 乡镇 → 村（社区） cascader with search, for forms and filters.

The page carries one input holding a unit code (:class:`UnitCascader`); ``units.js`` turns
it into a 乡镇 select, a 村 select and a search box fed by :func:`options`, a small JSON
endpoint that answers only inside the viewer's scope (a township user sees its own
township) and returns a bounded number of units. Without script the input still takes a
code or a typed name, which :func:`resolve` reads.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.urls import reverse

from zhujian.core import scope
from zhujian.core.models import TOWNSHIP_KINDS, VILLAGE_KINDS, OrgUnit, User
from zhujian.core.units import MAX_CHILDREN, MAX_QUERY, first_level, resolve, search
from zhujian.web.errors import BadParameter


def _row(unit: OrgUnit, township: OrgUnit | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"code": unit.code, "name": unit.name}
    if township is not None and township.pk != unit.pk:
        row["township"] = {"code": township.code, "name": township.name}
    return row


def township_names(objects: list[Any]) -> dict[Any, str]:
    """Each record's 乡镇（街道） name by its pk (one query for a page of records)."""
    ids = {getattr(o, "org_unit_id", None) for o in objects} - {None}
    names: dict[int, str] = {}
    for unit in OrgUnit.objects.filter(pk__in=ids).select_related("parent"):
        if unit.kind in TOWNSHIP_KINDS:
            names[unit.pk] = unit.name
        elif unit.kind in VILLAGE_KINDS and unit.parent is not None:
            names[unit.pk] = unit.parent.name
    return {o.pk: names.get(getattr(o, "org_unit_id", None), "") for o in objects}


@login_required
def options(request: HttpRequest) -> JsonResponse:
    """``?parent=<code>``: the 村（社区） of a 乡镇; ``?q=<text>``: units by name;
    neither: the 乡镇 the viewer may choose. Always inside the viewer's scope."""
    action = "add" if request.GET.get("for") == "add" else "view"
    user = request.user
    if parent := request.GET.get("parent", "").strip():
        if not parent.isdigit() or len(parent) != 12:
            raise BadParameter("参数 parent 应为12位单位代码")
        town = scope.org_units_for(user, action).filter(code=parent).first()
        if town is None:
            return JsonResponse({"units": []})
        children = scope.org_units_for(user, action).filter(parent=town, kind__in=VILLAGE_KINDS)
        units = [_row(u) for u in children.order_by("sort", "path")[:MAX_CHILDREN]]
        return JsonResponse({"units": units}, json_dumps_params={"ensure_ascii": False})
    if "q" in request.GET:
        rows = []
        for unit in search(user, request.GET["q"], action):
            town = unit.parent if unit.kind in VILLAGE_KINDS else unit
            rows.append(_row(unit, town))
        return JsonResponse({"units": rows}, json_dumps_params={"ensure_ascii": False})
    rows = [{**_row(u), "villages": u.kind in TOWNSHIP_KINDS} for u in first_level(user, action)]
    return JsonResponse({"units": rows}, json_dumps_params={"ensure_ascii": False})


class UnitCascader(forms.TextInput):
    """The unit input: a code (or a typed name), made a 乡镇 → 村 cascader by units.js."""

    template_name = "web/_unit_cascader.html"

    def __init__(self, attrs: dict[str, Any] | None = None, action: str = "view") -> None:
        super().__init__(
            {"maxlength": 20, "autocomplete": "off", "placeholder": "乡镇或村名", **(attrs or {})}
        )
        self.action = action

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        unit = None
        if isinstance(value, OrgUnit):
            unit = value
        elif value not in (None, ""):
            text = str(value).strip()[:12]
            if text.isdigit():
                unit = OrgUnit.objects.filter(code=text).select_related("parent").first()
        town = None
        if unit is not None:
            town = unit.parent if unit.kind in VILLAGE_KINDS else unit
        context["widget"].update(
            src=reverse("web:unit_options") + ("?for=add&" if self.action == "add" else "?"),
            unit=unit,
            town=town,
            village=unit if unit is not None and town is not None and unit.pk != town.pk else None,
        )
        if unit is not None:
            context["widget"]["value"] = unit.code
        return context


class UnitField(forms.ModelChoiceField):
    """A ledger form's org unit, chosen by code (the cascader) or typed by name."""

    def __init__(self, *args: Any, user: User, action: str = "add", **kwargs: Any) -> None:
        kwargs.setdefault("to_field_name", "code")
        kwargs["widget"] = UnitCascader(action=action)
        super().__init__(*args, **kwargs)
        self.user = user
        self.action = action

    def prepare_value(self, value: Any) -> Any:
        """The unit's code, also for a form's initial value (the unit's pk)."""
        if isinstance(value, int) and not isinstance(value, bool):
            return OrgUnit.objects.filter(pk=value).values_list("code", flat=True).first() or ""
        return super().prepare_value(value)

    def to_python(self, value: Any) -> OrgUnit | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if text.isdigit() and len(text) == 12:  # a 12-digit code (the cascader's value)
            return super().to_python(text)
        if text.isdigit() and len(text) < 12:  # a record id, as older clients post it
            found = self.queryset.filter(pk=int(text)).first()
            if found is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                )
            return found
        allowed = set(self.queryset.values_list("pk", flat=True))
        found = [u for u in resolve(self.user, text, self.action) if u.pk in allowed]
        exact = [u for u in found if u.name == text]
        if len(exact) == 1:
            return exact[0]
        if len(found) == 1:
            return found[0]
        if not found:
            raise forms.ValidationError(
                f"没有找到名为“{text[:MAX_QUERY]}”的单位，或不在您的管辖范围内"
            )
        names = "、".join(
            f"{(u.parent.name + ' ') if u.parent_id else ''}{u.name}" for u in found[:5]
        )
        raise forms.ValidationError(
            f"“{text[:MAX_QUERY]}”对应多个单位（{names}），请先选乡镇再选村"
        )
