"""FilterSets derived from a ledger declaration, shared by the web list and the API.

Every filter's label is the model field's ``verbose_name`` (through relations for
``a__b``), never a name django-filter makes up from the field's attribute name, and
yes/no fields offer 全部/是/否 (django-filter's own yes/no widget offers 未知)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db import models
from django.db.models import Q

from zhujian.core import personal, scope, units
from zhujian.core.models import OrgUnit
from zhujian.core.registry import Ledger, registry

_cache: dict[str, type[django_filters.FilterSet]] = {}

YES_NO = [("", "全部"), ("true", "是"), ("false", "否")]


def yes_no_filter(name: str, label: str) -> django_filters.BooleanFilter:
    """A yes/no filter offering 全部/是/否; ``?x=true``/``false`` (also True/1, False/0)."""
    return django_filters.BooleanFilter(
        field_name=name, label=label, widget=forms.Select(choices=YES_NO)
    )


class LedgerFilterSet(django_filters.FilterSet):
    """Base: ``unit`` (an org unit code: that unit and below) and ``q`` (full-text-ish search)."""

    unit = django_filters.CharFilter(method="filter_unit", label="所属单位（含下级）")
    q = django_filters.CharFilter(method="filter_search", label="搜索")

    ledger: Ledger

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices of linked records come through the scope gate: a township user's
        # filter offers (and accepts) only records of its own township.
        user = getattr(self.request, "user", None)
        for f in self.filters.values():
            related = getattr(f, "queryset", None)
            if related is None or not hasattr(related, "model"):
                continue
            if user is None:
                f.queryset = related.none()
            elif related.model is OrgUnit:
                f.queryset = scope.org_units_for(user)
            elif registry.find(related.model) is not None:
                f.queryset = scope.restrict(related.model._default_manager.all(), user)

    def filter_unit(self, queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
        """A unit code, or a typed 村/乡镇 name (every unit of that name in the user's
        scope, and below it)."""
        user = getattr(self.request, "user", None)
        found = units.resolve(user, value) if user is not None else []
        if not found:
            return queryset.none()
        condition = Q()
        for unit in found:
            condition |= Q(org_unit__path__startswith=unit.path)
        return queryset.filter(condition)

    def filter_search(self, queryset: models.QuerySet, name: str, value: str) -> models.QuerySet:
        condition = Q()
        for field in self.ledger.search:
            condition |= Q(**{f"{field}__icontains": value})
        # An ID or bank-card number typed whole finds its record through the number's
        # keyed index (zhujian.core.crypto): exact match only, never a part of a number.
        # Only among the records whose numbers the user sees unmasked: a match elsewhere
        # would tell a reader of masked values whose number it is.
        indexed = personal.indexed_fields(self.ledger)
        user = getattr(self.request, "user", None)
        if indexed and value.strip() and personal.MASK not in value and user is not None:
            exact = Q()
            for field in indexed:
                exact |= Q(**{field: value.strip()})
            revealable = scope.revealable(
                user, self.ledger, self.ledger.model._default_manager.all()
            )
            condition |= exact & Q(pk__in=revealable.values("pk"))
        return queryset.filter(condition) if (self.ledger.search or indexed) else queryset


def filterset_for(ledger: Ledger) -> type[django_filters.FilterSet]:
    if ledger.name in _cache:
        return _cache[ledger.name]
    fields: dict[str, list[str]] = {}
    for name in ledger.filters:
        f = ledger.field(name)
        if (
            isinstance(
                f, models.DateField | models.IntegerField | models.DecimalField | models.FloatField
            )
            and not f.choices
        ):
            fields[name] = ["gte", "lte"]
        else:
            fields[name] = ["exact"]
    meta = type("Meta", (), {"model": ledger.model, "fields": fields})
    attrs: dict[str, Any] = {"Meta": meta, "ledger": ledger}
    for name, lookups in fields.items():
        label = ledger.field_label(name)
        if isinstance(ledger.field(name), models.BooleanField):
            attrs[name] = yes_no_filter(name, label)
        elif lookups == ["gte", "lte"]:
            f = ledger.field(name)
            widget = (
                forms.DateInput(attrs={"type": "date"}) if isinstance(f, models.DateField) else None
            )
            filter_class = (
                django_filters.DateFilter
                if isinstance(f, models.DateField)
                else django_filters.NumberFilter
            )
            attrs[f"{name}__gte"] = filter_class(
                field_name=name, lookup_expr="gte", label=f"{label}起", widget=widget
            )
            attrs[f"{name}__lte"] = filter_class(
                field_name=name, lookup_expr="lte", label=f"{label}止", widget=widget
            )
    cls = type(f"{ledger.model.__name__}FilterSet", (LedgerFilterSet,), attrs)
    for name in fields:  # the generated exact filters (choices, relations, text)
        if name in cls.base_filters:
            cls.base_filters[name].label = ledger.field_label(name)
    _cache[ledger.name] = cls
    return cls
