from __future__ import annotations

from axes.admin import AccessAttemptAdmin as AxesAttemptAdmin
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from zhujian.core.models import OrgUnit, PersonalDataAccess, SecurityEvent, User


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


# --- login lockout (django-axes): 系统管理 › 登录锁定 -------------------------------------
# Deleting a 登录失败记录 unlocks that login at that address at once.


class AccessAttemptAdmin(AxesAttemptAdmin):
    """axes' admin with its two English bits (a column, an action's message) in Chinese."""

    @admin.display(description="状态")
    def status(self, obj: AccessAttempt) -> str:
        left = settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        return f"再失败 {left} 次将锁定" if left > 0 else "已锁定（删除此记录即解除）"

    @admin.display(description="过期时间")
    def expiration(self, obj: AccessAttempt) -> object:
        return obj.expiration.expires_at if hasattr(obj, "expiration") else "未设置"

    @admin.action(description="清理已过期的失败记录")
    def cleanup_expired_attempts(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(request, f"已清理 {count} 条过期的登录失败记录。")


admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AccessAttemptAdmin)


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


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """Read-only: the tamper-evident security audit log (core.audit)."""

    list_display = ["at", "kind_label", "outcome", "username", "ip", "detail", "record_link"]
    list_filter = ["kind", "outcome"]
    search_fields = ["username", "detail", "=ip"]
    date_hierarchy = "at"

    @admin.display(description="事件类型", ordering="kind")
    def kind_label(self, obj: SecurityEvent) -> str:
        from zhujian.core.audit import LABELS

        return LABELS.get(obj.kind, obj.kind)

    @admin.display(description="记录及其修改历史")
    def record_link(self, obj: SecurityEvent) -> str:
        from django.utils.html import format_html

        from zhujian.core.registry import registry

        if not obj.ledger or obj.record_id is None:
            return ""
        try:
            ledger = registry.get(obj.ledger)
        except KeyError:
            return ""
        url = ledger.url("detail", pk=obj.record_id)
        return format_html('<a href="{}">{} #{}</a>', url, ledger.label, obj.record_id)

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
