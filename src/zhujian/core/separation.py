"""三员分立 (等保 2.0 L3-CES1-08): the system, security and audit administrators.

Three built-in roles with disjoint rights, each carried by a built-in group of the same
name that holds its Django permissions:

- 系统管理员 (``Role.ADMIN``): users, org units and (non-security) parameters; reads no
  audit log;
- 安全管理员 (``Role.SECURITY``): roles, groups and permissions, login lockouts, API
  tokens, the second factor and the security parameters (group “安全”);
- 审计管理员 (``Role.AUDITOR``): only reads and exports the audit records.

The user's ``role`` is the one source: its administrator group follows it on every save
(:func:`sync_groups`), and nothing else may put an account into a second one. Every path
is guarded here, so the admin, forms, management commands and the shell refuse alike:
``User.clean`` (forms, the admin), a ``pre_save`` of ``User`` and ``m2m_changed`` of
``User.groups``, ``User.user_permissions`` and the built-in groups' permissions. A Django
superuser holds every right: ``check --deploy`` warns of one (``zhujian.W243``) and no
security or audit administrator may be one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from zhujian.core.models import ADMIN_ROLES, Role

#: The Django permissions ("app.codename") each administrator's group holds. Disjoint.
RIGHTS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            "core.add_user",
            "core.add_orgunit",
            "core.change_orgunit",
            "core.delete_orgunit",
            "core.view_orgunit",
            "core.manage_parameters",
        }
    ),
    Role.SECURITY: frozenset(
        {
            "auth.add_group",
            "auth.change_group",
            "auth.delete_group",
            "auth.view_group",
            "auth.view_permission",
            "axes.view_accessattempt",
            "axes.delete_accessattempt",
            "core.view_apitoken",
            "core.change_apitoken",
            "core.manage_security",
        }
    ),
    Role.AUDITOR: frozenset(
        {
            "core.view_securityevent",
            "core.view_auditcheckpoint",
            "core.view_personaldataaccess",
            "core.export_securityevent",
        }
    ),
}

#: Both the system and the security administrator open user accounts in 系统管理, each
#: editing only its own fields (``core.admin.UserAdmin``: the 系统管理员 names, units, lines
#: and whether active; the 安全管理员 roles, groups and rights).
SHARED: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({"core.view_user", "core.change_user"}),
    Role.SECURITY: frozenset({"core.view_user", "core.change_user"}),
}

LABELS = {r: Role(r).label for r in ADMIN_ROLES}


def _refuse(text: str, field: str = "role") -> ValidationError:
    return ValidationError(
        {field: f"{text}（三员分立：系统管理员、安全管理员、审计管理员不得由同一账号兼任）"}
    )


def ensure_groups(sender: Any = None, **kwargs: Any) -> None:
    """Create the three built-in groups with their permissions (after ``migrate``)."""
    from django.contrib.auth.models import Group, Permission

    if sender is not None and getattr(sender, "label", "") != "core":
        return

    for role, rights in RIGHTS.items():
        group, _ = Group.objects.get_or_create(name=LABELS[role])
        perms = []
        for right in sorted(rights | SHARED.get(role, frozenset())):
            app, codename = right.split(".")
            perm = Permission.objects.filter(content_type__app_label=app, codename=codename).first()
            if perm is not None:
                perms.append(perm)
        group._zhujian_sync = True  # type: ignore[attr-defined]
        group.permissions.set(perms)
        group._zhujian_sync = False  # type: ignore[attr-defined]


def _admin_group_role(group_name: str) -> str | None:
    for role, label in LABELS.items():
        if label == group_name:
            return role
    return None


def _right_owner(perm: Any) -> str | None:
    name = f"{perm.content_type.app_label}.{perm.codename}"
    for role, rights in RIGHTS.items():
        if name in rights:
            return role
    return None


def check_user(user: Any) -> None:
    """Refuse (ValidationError, Chinese) an account that would hold two administrators."""
    if user.is_superuser and user.role in (Role.SECURITY, Role.AUDITOR):
        raise _refuse(f"{LABELS[user.role]}不能同时是超级用户（超级用户拥有全部权限）")
    if user.pk is None:
        return
    names = user.groups.values_list("name", flat=True)
    others = {r for n in names if (r := _admin_group_role(n)) and r != user.role}
    if others and user.role in ADMIN_ROLES:
        raise _refuse(
            f"账号“{user.username}”已在{'、'.join(LABELS[r] for r in others)}组，"
            f"不能再设为{LABELS[user.role]}"
        )


def check_assignment(user: Any, role: str, groups: Any = None, permissions: Any = None) -> None:
    """For a form: refuse (ValidationError, Chinese) ``role`` with these ``groups`` and
    ``permissions`` when they would give ``user`` a second administrator's rights."""
    for group in groups or []:
        group_role = _admin_group_role(group.name)
        if group_role is not None and group_role != role:
            raise _refuse(
                f"角色为{Role(role).label}的账号不能加入{group.name}组；管理员组随角色自动设置",
                "groups",
            )
    for perm in permissions or []:
        owner = _right_owner(perm)
        if owner is not None and owner != role:
            raise _refuse(
                f"“{perm.name}”是{LABELS[owner]}的权限，不能授予{Role(role).label}",
                "user_permissions",
            )


def sync_groups(user: Any) -> None:
    """Put ``user`` in the group of its administrator role, and out of the others."""
    from django.contrib.auth.models import Group

    wanted = LABELS.get(user.role)
    current = list(user.groups.filter(name__in=LABELS.values()))
    stale = [g for g in current if g.name != wanted]
    user._zhujian_sync = True
    try:
        if stale:
            user.groups.remove(*stale)
        if wanted and not any(g.name == wanted for g in current):
            group = Group.objects.filter(name=wanted).first()
            if group is None:
                ensure_groups()
                group = Group.objects.get(name=wanted)
            user.groups.add(group)
    finally:
        user._zhujian_sync = False


# --- receivers: every path that can give an account a role, a group or a right ------------


def _user_pre_save(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    if raw:
        return
    if instance.is_superuser and instance.role in (Role.SECURITY, Role.AUDITOR):
        raise _refuse(f"{LABELS[instance.role]}不能同时是超级用户（超级用户拥有全部权限）")


def _user_post_save(sender: Any, instance: Any, raw: bool = False, **kw: Any) -> None:
    if not raw:
        sync_groups(instance)


def _groups_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kw: Any
) -> None:
    if action != "pre_add" or not pk_set:
        return
    from django.contrib.auth.models import Group

    from zhujian.core.models import User

    if reverse:  # group.user_set.add(users)
        group_role = _admin_group_role(instance.name)
        if group_role is None:
            return
        for user in User.objects.filter(pk__in=pk_set):
            if user.role != group_role:
                raise _refuse(
                    f"账号“{user.username}”的角色是{user.get_role_display()}，"
                    f"不能加入{instance.name}组；请由安全管理员修改其角色",
                    "groups",
                )
        return
    if getattr(instance, "_zhujian_sync", False):
        return
    for group in Group.objects.filter(pk__in=pk_set):
        group_role = _admin_group_role(group.name)
        if group_role is not None and group_role != instance.role:
            raise _refuse(
                f"账号“{instance.username}”的角色是{instance.get_role_display()}，"
                f"不能加入{group.name}组；请由安全管理员修改其角色",
                "groups",
            )


def _user_permissions_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kw: Any
) -> None:
    if action != "pre_add" or not pk_set:
        return
    from django.contrib.auth.models import Permission

    from zhujian.core.models import User

    if reverse:  # permission.user_set.add(users)
        owner = _right_owner(instance)
        users = User.objects.filter(pk__in=pk_set)
        pairs = [(u, instance) for u in users]
    else:
        perms = Permission.objects.filter(pk__in=pk_set).select_related("content_type")
        pairs = [(instance, p) for p in perms]
    for user, perm in pairs:
        owner = _right_owner(perm)
        if owner is not None and owner != user.role:
            raise _refuse(
                f"“{perm.name}”是{LABELS[owner]}的权限，不能授予"
                f"{user.get_role_display()}“{user.username}”",
                "user_permissions",
            )


def _group_permissions_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kw: Any
) -> None:
    if action != "pre_add" or not pk_set or reverse or getattr(instance, "_zhujian_sync", False):
        return
    from django.contrib.auth.models import Permission

    role = _admin_group_role(instance.name)
    perms = Permission.objects.filter(pk__in=pk_set).select_related("content_type")
    for perm in perms:
        owner = _right_owner(perm)
        if owner is not None and owner != role:
            raise _refuse(
                f"“{perm.name}”是{LABELS[owner]}的权限，只属于{LABELS[owner]}组，"
                f"不能授予“{instance.name}”组",
                "permissions",
            )


def connect() -> None:
    """Connect the receivers (``CoreConfig.ready``)."""
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_migrate, post_save, pre_save

    from zhujian.core.models import User

    pre_save.connect(_user_pre_save, sender=User, dispatch_uid="zhujian-3yuan-pre")
    post_save.connect(_user_post_save, sender=User, dispatch_uid="zhujian-3yuan-post")
    m2m_changed.connect(
        _groups_changed, sender=User.groups.through, dispatch_uid="zhujian-3yuan-groups"
    )
    m2m_changed.connect(
        _user_permissions_changed,
        sender=User.user_permissions.through,
        dispatch_uid="zhujian-3yuan-perms",
    )
    m2m_changed.connect(
        _group_permissions_changed,
        sender=Group.permissions.through,
        dispatch_uid="zhujian-3yuan-group-perms",
    )
    post_migrate.connect(ensure_groups, dispatch_uid="zhujian-3yuan-groups-made")
