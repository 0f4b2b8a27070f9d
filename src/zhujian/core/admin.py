from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from zhujian.core.models import OrgUnit, PersonalDataAccess, User


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "role", "org_unit", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("住建权限", {"fields": ("role", "org_unit", "business_lines")}),
    )


def has_admin_permission(request) -> bool:  # type: ignore[no-untyped-def]
    user = request.user
    return user.is_active and user.is_authenticated and (user.is_superuser or user.is_admin)


admin.site.has_permission = has_admin_permission
admin.site.site_header = "住建综合管理平台 · 系统管理"
admin.site.site_title = "住建平台管理"


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the record of every unmasked personal value shown (see core.personal)."""

    list_display = ["at", "username", "ledger", "record_id", "field_label", "source", "ip"]
    list_filter = ["source", "ledger"]
    search_fields = ["username", "ledger", "=record_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
