from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from zhujian.core.models import OrgUnit, User


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
