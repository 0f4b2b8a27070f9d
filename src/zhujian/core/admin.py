from __future__ import annotations

from axes.admin import AccessAttemptAdmin as AxesAttemptAdmin
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhujian.core.models import (
    ADMIN_ROLES,
    ApiToken,
    OrgUnit,
    PersonalDataAccess,
    Role,
    SecurityEvent,
    User,
)


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


class ZhujianUserChangeForm(UserChangeForm):
    """Refuses a second administrator's group or right in the form (三员分立), before the
    model's own guard would."""

    def clean(self):  # type: ignore[no-untyped-def]
        from zhujian.core import separation

        data = super().clean()
        role = data.get("role", self.instance.role)
        groups = data.get("groups") if "groups" in self.fields else None
        permissions = data.get("user_permissions") if "user_permissions" in self.fields else None
        separation.check_assignment(self.instance, role, groups, permissions)
        return data


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users, split by 三员分立: the 系统管理员 keeps accounts (names, units, lines, active)
    but not roles and rights; the 安全管理员 sets roles, groups and rights, and may reset
    a user's second factor; neither reads the other's fields as editable."""

    list_display = ["username", "first_name", "role", "org_unit", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("住建权限", {"fields": ("role", "org_unit", "business_lines")}),
    )
    actions = ["reset_second_factor"]
    form = ZhujianUserChangeForm

    SECURITY_FIELDS = ("role", "groups", "user_permissions", "is_superuser", "is_staff")

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        user = request.user
        if user.is_superuser:
            return ()
        if user.role == Role.SECURITY:  # roles and rights only
            every = [f for _, opts in self.get_fieldsets(request, obj) for f in opts["fields"]]
            return tuple(
                f for f in every if f not in ("role", "groups", "user_permissions", "is_active")
            )
        return ("role", "groups", "user_permissions", "is_superuser", "is_staff", "last_login")

    def get_fieldsets(self, request, obj=None):  # type: ignore[no-untyped-def]
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser or request.user.role == Role.SECURITY:
            return fieldsets
        return [  # the 系统管理员 does not see the rights' lists
            (
                name,
                {
                    **opts,
                    "fields": [
                        f for f in opts["fields"] if f not in ("groups", "user_permissions")
                    ],
                },
            )
            for name, opts in fieldsets
        ]

    def save_model(self, request, obj, form, change) -> None:  # type: ignore[no-untyped-def]
        if not change and not request.user.is_superuser and obj.role in ADMIN_ROLES:
            obj.role = Role.DEPARTMENT  # a new account's role is set by the 安全管理员
        super().save_model(request, obj, form, change)

    @admin.action(description="重置双因素认证（下次登录须重新绑定动态口令）")
    def reset_second_factor(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        from django.core.exceptions import PermissionDenied

        from zhujian.core import twofactor

        if not request.user.has_perm("core.manage_security"):
            raise PermissionDenied("只有安全管理员可以重置双因素认证（三员分立）")
        for account in queryset:
            twofactor.reset(account, by=request.user, request=request)
        self.message_user(request, f"已重置 {queryset.count()} 个账号的双因素认证。")

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):  # type: ignore[no-untyped-def]
        actions = super().get_actions(request, action_location)
        if not request.user.has_perm("core.manage_security"):
            actions.pop("reset_second_factor", None)
        return actions


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """接口令牌 (安全管理员): see every client's token, revoke; tokens are issued by their
    owners on 账号安全 and never shown again."""

    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at", "status"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]
    actions = ["revoke"]

    @admin.display(description="状态")
    def status(self, obj: ApiToken) -> str:
        return obj.status

    @admin.action(description="吊销所选令牌")
    def revoke(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        from zhujian.core import apitokens

        for token in queryset.select_related("user"):
            apitokens.revoke(token, by=request.user, request=request)
        self.message_user(request, f"已吊销 {queryset.count()} 个接口令牌。")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


# django-otp's own device admin (English, and it could bind a device for someone else):
# a second factor is bound by its owner on 账号安全 and reset by the 安全管理员's action.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


def has_admin_permission(request) -> bool:  # type: ignore[no-untyped-def]
    """系统管理 (/admin/): the three administrators, each seeing only the models its
    role's group may reach (the 审计管理员: the audit records, also on 安全审计)."""
    user = request.user
    return (
        user.is_active and user.is_authenticated and (user.is_superuser or user.role in ADMIN_ROLES)
    )


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
    """Read-only: the record of every unmasked personal value shown (see core.personal);
    the 审计管理员's (三员分立: no other administrator reads it)."""

    def has_view_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return request.user.role == Role.AUDITOR

    def has_module_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.role == Role.AUDITOR

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
    """Read-only: the tamper-evident security audit log (core.audit); the 审计管理员's
    only (三员分立), who reads it on the page 安全审计 (/audit/)."""

    def has_view_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return request.user.role == Role.AUDITOR

    def has_module_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return request.user.role == Role.AUDITOR

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
