"""System administrators see the draw's records in /admin/; what is final stays final.

The models refuse changes (``clean()`` shows them as form errors, ``save()`` refuses any
other way in) and deletions; here the bulk delete action, which would delete a queryset
without asking each record, is switched off.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhujian.domains.housing.models import (
    AllocationRound,
    DrawResult,
    PublicInput,
    PublishedList,
    RoundHousehold,
    RoundUnit,
)


class FinalRecordAdmin(admin.ModelAdmin):
    actions = None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not obj.delete_refusal())


@admin.register(AllocationRound)
class AllocationRoundAdmin(FinalRecordAdmin):
    list_display = ["code", "name", "status", "scheduled_on", "drawn_on"]
    list_filter = ["status"]
    search_fields = ["code", "name"]
    readonly_fields = [
        "status",
        "list_sha256",
        "published_at",
        "published_by",
        "seed",
        "result_sha256",
        "drawn_on",
        "drawn_at",
        "drawn_by",
        "signed_by",
        "redraw_of",
        "redraw_reason",
    ]


@admin.register(RoundHousehold)
class RoundHouseholdAdmin(FinalRecordAdmin):
    list_display = ["round", "seq", "household_code", "head_name", "group"]
    list_filter = ["round"]


@admin.register(RoundUnit)
class RoundUnitAdmin(FinalRecordAdmin):
    list_display = ["round", "seq", "code", "group", "floor_area"]
    list_filter = ["round"]


@admin.register(PublishedList)
class PublishedListAdmin(FinalRecordAdmin):
    list_display = ["round", "created_at"]


@admin.register(PublicInput)
class PublicInputAdmin(FinalRecordAdmin):
    list_display = ["round", "seq", "entered_by", "value", "entered_at", "recorded_by"]
    list_filter = ["round"]


@admin.register(DrawResult)
class DrawResultAdmin(FinalRecordAdmin):
    list_display = ["round", "group", "position", "household", "unit"]
    list_filter = ["round"]
