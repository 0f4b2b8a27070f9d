"""Org units, users and the base every ledger model inherits."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from zhujian.core import claims, codes, invariants, lines


class OrgUnitKind(models.TextChoices):
    COUNTY = "county", "县"
    TOWN = "town", "镇"
    TOWNSHIP = "township", "乡"
    STREET = "street", "街道"
    VILLAGE = "village", "村"
    COMMUNITY = "community", "社区"
    BUREAU = "bureau", "局机关"
    DEPARTMENT = "department", "股室"
    AFFILIATE = "affiliate", "局属单位"


TOWNSHIP_KINDS = (OrgUnitKind.TOWN, OrgUnitKind.TOWNSHIP, OrgUnitKind.STREET)
VILLAGE_KINDS = (OrgUnitKind.VILLAGE, OrgUnitKind.COMMUNITY)
BUREAU_KINDS = (OrgUnitKind.BUREAU, OrgUnitKind.DEPARTMENT, OrgUnitKind.AFFILIATE)


class OrgUnitQuerySet(models.QuerySet):
    def within(self, unit: OrgUnit | None) -> OrgUnitQuerySet:
        """The unit and everything below it (None: everything)."""
        if unit is None:
            return self
        return self.filter(path__startswith=unit.path)

    def townships(self) -> OrgUnitQuerySet:
        return self.filter(kind__in=TOWNSHIP_KINDS)

    def villages(self) -> OrgUnitQuerySet:
        return self.filter(kind__in=VILLAGE_KINDS)


class OrgUnit(models.Model):
    """County → 乡镇/街道 → 村/社区, plus the bureau's own 股室 and 局属单位.

    Divisions carry their 12-digit 统计用区划代码; the bureau's units carry a code of
    their own under the county's. ``path`` is the chain of codes from the root, so a
    subtree is one indexed ``startswith``.
    """

    code = models.CharField(
        "代码",
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^\d{12}$", "代码应为12位数字（统计用区划代码）")],
    )
    name = models.CharField("名称", max_length=64)
    kind = models.CharField("类别", max_length=16, choices=OrgUnitKind.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级"
    )
    path = models.CharField("路径", max_length=255, db_index=True, editable=False)
    sort = models.PositiveIntegerField("排序", default=0)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "组织单位"
        verbose_name_plural = "组织单位"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.path = (self.parent.path if self.parent else "") + self.code + "/"
        super().save(*args, **kwargs)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    @property
    def is_township(self) -> bool:
        return self.kind in TOWNSHIP_KINDS

    def township(self) -> OrgUnit | None:
        """The 乡镇/街道 this unit lies in (itself if it is one)."""
        unit: OrgUnit | None = self
        while unit is not None and not unit.is_township:
            unit = unit.parent
        return unit

    def contains(self, other: OrgUnit) -> bool:
        return other.path.startswith(self.path)


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    LEADER = "leader", "局领导"
    DEPARTMENT = "department", "业务股室"
    TOWNSHIP = "township", "乡镇"
    # 三员分立 (等保 2.0 L3-CES1-08, core.separation): with ADMIN, the three administrators
    SECURITY = "security", "安全管理员"
    AUDITOR = "auditor", "审计管理员"


#: The three administrators (三员分立): disjoint rights, no account holds two of them.
ADMIN_ROLES = (Role.ADMIN, Role.SECURITY, Role.AUDITOR)
#: Roles that work with the ledgers' records (the security and audit administrators do not).
BUSINESS_ROLES = (Role.ADMIN, Role.LEADER, Role.DEPARTMENT, Role.TOWNSHIP)


class User(AbstractUser):
    """A bureau or township user; what it may see and change follows from role and unit."""

    role = models.CharField("角色", max_length=16, choices=Role.choices, default=Role.DEPARTMENT)
    org_unit = models.ForeignKey(
        OrgUnit,
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name="所属单位",
        related_name="users",
    )
    business_lines = models.JSONField(
        "负责业务条线",
        default=list,
        blank=True,
        help_text="业务股室与乡镇用户可编辑的业务条线代码",
    )

    # Password ageing and forced change (core.sessions): set when the password is saved.
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField(
        "下次登录须修改密码",
        default=False,
        help_text="管理员新建账号或重置密码后自动勾选；用户本人修改密码后取消",
    )

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        unknown = [c for c in self.business_lines or [] if c not in lines.BY_CODE]
        if unknown:
            raise ValidationError({"business_lines": f"未知的业务条线：{'、'.join(unknown)}"})
        if self.role == Role.TOWNSHIP and (self.org_unit is None or not self.org_unit.is_township):
            raise ValidationError({"org_unit": "乡镇用户必须属于一个乡镇或街道"})
        if self.pk is not None:
            from zhujian.core import separation

            separation.check_user(self)

    @property
    def is_security_admin(self) -> bool:
        return self.role == Role.SECURITY

    @property
    def is_audit_admin(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def role_label(self) -> str:
        return (
            "系统管理员"
            if self.is_superuser and self.role != Role.ADMIN
            else self.get_role_display()
        )


class LeanLedgerModel(models.Model):
    """Base of a ledger whose rows are too many and too plain for an audit trail of their
    own (gate attendance: one row per worker per day). Everything a :class:`LedgerModel`
    has but the history: an org unit, timestamps, ``derive()`` and the scope that comes
    with it. Pages, API and imports work the same; the record page shows no history.

    Values computed from other fields belong in :meth:`derive`, never in ``save()``
    alone: imports write in bulk without calling ``save()``, and they call ``derive()``
    before validating each record (then the scope of the final record is checked).
    """

    # The foreign key whose record's org unit this record takes (a project's progress
    # reports file under the project's unit, whatever a form or a file says).
    unit_from: ClassVar[str | None] = None
    # Fields ``derive()`` sets besides ``org_unit`` (written whenever a record changes).
    derived_fields: ClassVar[tuple[str, ...]] = ()
    # The registry's name for this model's ledger (set when the ledger is declared).
    ledger_name: ClassVar[str]
    # Typed values (dates) that move a statutory deadline: once stored, changing one is a
    # correction that needs a reason, kept in the history (``zhujian.core.claims``).
    claim_fields: ClassVar[tuple[str, ...]] = ()
    # Set by the ledger's declaration (``zhujian.core.codes``): codes unique per township
    # (the model then has a ``township`` column) and county-wide codes the platform assigns.
    township_codes: ClassVar[tuple[str, ...]] = ()
    assigned_codes: ClassVar[dict[str, str]] = {}

    org_unit = models.ForeignKey(
        OrgUnit, models.PROTECT, verbose_name="所属单位", related_name="+", db_index=True
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Derive, write, and re-check the legal rules the record takes part in, all in
        one atomic block: a refused write leaves nothing (``core.invariants``)."""
        self.derive()
        claims.check(self)  # whatever path saves: no silent correction of a claim
        with invariants.guarded():
            super().save(*args, **kwargs)
        claims.remember(self)
        self.__dict__.pop("_change_reason", None)  # written into this save's history only

    def get_absolute_url(self) -> str:
        # ``ledger_name`` is set by the registry when the ledger is declared.
        return reverse(
            "web:ledger_detail", kwargs={"ledger": type(self).ledger_name, "pk": self.pk}
        )

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Delete (with any cascade), then re-check the rules of the anchors left behind."""
        pk = self.pk
        try:
            with invariants.guarded():
                return super().delete(*args, **kwargs)
        except invariants.RuleViolation:
            self.pk = pk  # rolled back: the record is still there
            raise

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> Any:
        obj = super().from_db(db, field_names, values, **kwargs)
        claims.remember(obj)
        return obj

    def full_clean(self, *args: Any, **kwargs: Any) -> None:
        """Derive first, so forms check the rules against the values that will be saved (as
        the API and imports do): a rule may read a derived field or a parent's unit."""
        self.derive()
        # Same-township duplicates: the constraint names ``township``, which no form shows.
        corrections = {**codes.unique_errors(self), **claims.errors(self)}
        try:
            super().full_clean(*args, **kwargs)
        except ValidationError as exc:
            if corrections:
                merged = {k: [v] for k, v in corrections.items()}
                raise ValidationError(exc.update_error_dict(merged)) from None
            raise
        if corrections:
            raise ValidationError(corrections)

    def derive(self) -> None:
        """Set the fields computed from others (extend in a ledger; call ``super()``)."""
        if self.unit_from and getattr(self, f"{self.unit_from}_id", None):
            self.org_unit_id = getattr(self, self.unit_from).org_unit_id
        for name, prefix in self.assigned_codes.items():
            codes.assign(self, name, prefix)


class LedgerModel(LeanLedgerModel):
    """Base of every ledger (台账) model: an org unit, timestamps and the audit trail
    (every create, update and delete kept with who, when and the values)."""

    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True


def has_history(model: type[models.Model]) -> bool:
    """Whether ``model`` keeps an audit trail (a :class:`LeanLedgerModel` does not)."""
    return getattr(model, "history", None) is not None


class Job(models.Model):
    """Long work started from the web UI and run by ``zhujian worker`` in a process of its
    own: an Excel import, a report file, a ledger export. The page polls its progress
    (:mod:`zhujian.jobs.progress`); its outcome, message and files stay on this row."""

    class Kind(models.TextChoices):
        IMPORT = "import", "导入"
        REPORT = "report", "生成报告"
        EXPORT = "export", "导出"

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        REFUSED = "refused", "被拒绝"
        FAILED = "failed", "出错"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.IMPORT)
    ledger = models.CharField("台账", max_length=64, blank=True)
    user = models.ForeignKey(User, models.CASCADE, verbose_name="用户", related_name="jobs")
    params = models.JSONField("参数", default=dict, blank=True)
    file = models.FileField("上传文件", upload_to="imports/%Y/%m/", blank=True)
    filename = models.CharField("名称", max_length=255)
    dry_run = models.BooleanField("仅校验", default=False)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField("总数", default=0)
    done = models.PositiveIntegerField("已处理", default=0)
    summary = models.TextField("结果", blank=True)
    errors = models.JSONField("错误（前500处）", default=list, blank=True)
    error_count = models.PositiveIntegerField("错误数", default=0)
    error_report = models.FileField("错误清单", upload_to="imports/errors/", blank=True)
    # The user's own file with the bad cells filled and commented (imports.excel).
    marked_file = models.FileField("标出错误的原文件", upload_to="imports/errors/", blank=True)
    result = models.FileField("结果文件", upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField("结果文件名", max_length=255, blank=True)
    task_id = models.CharField("后台任务编号", max_length=64, blank=True, db_index=True)
    worker = models.CharField("后台进程", max_length=100, blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"], name="core_job_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.REFUSED):
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REFUSED, self.Status.FAILED)


class RecordTag(models.Model):
    """A name staff give one record so a report template can speak of it (报告标记).

    A sentence such as “龙沂庄二期配套区拆迁于*月*日启动” is about one particular record. The
    template's figure selects it by this tag, which a clerk sets and moves on the record's
    page, never by a code only the demo generator knows.
    """

    ledger = models.CharField("台账", max_length=64)
    record_id = models.PositiveBigIntegerField("记录ID")
    tag = models.CharField("报告标记", max_length=50)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "报告标记"
        verbose_name_plural = "报告标记"
        constraints = [
            models.UniqueConstraint(fields=["ledger", "record_id", "tag"], name="record_tag_once")
        ]
        indexes = [models.Index(fields=["ledger", "tag"])]

    def __str__(self) -> str:
        return self.tag


class PersonalDataAccess(models.Model):
    """One full (unmasked) personal value shown to a user: who, when, which record and
    field, and from where (see ``zhujian.core.personal``). Written, never edited."""

    user = models.ForeignKey(
        User, models.SET_NULL, null=True, verbose_name="用户", related_name="+"
    )
    username = models.CharField("登录名", max_length=150)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    ledger = models.CharField("台账", max_length=64)
    record_id = models.PositiveBigIntegerField("记录ID")
    field = models.CharField("字段", max_length=64)
    field_label = models.CharField("字段名称", max_length=64)
    source = models.CharField("查看途径", max_length=16)
    path = models.CharField("页面或接口", max_length=300, blank=True)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["ledger", "record_id"])]

    def __str__(self) -> str:
        return (
            f"{self.username} {self.at:%Y-%m-%d %H:%M} {self.ledger}#{self.record_id}.{self.field}"
        )


#: The name this model had before reports and exports became jobs too (issue 10).
ImportJob = Job


class JobWorker(models.Model):
    """A running ``zhujian worker`` and when it was last seen (its heartbeat), on PostgreSQL.

    A job left "running" by a worker that is no longer seen is marked failed by the next
    worker (see ``zhujian.jobs.worker``). On SQLite heartbeats go to the side file of
    :mod:`zhujian.jobs.progress`, because an import holds SQLite's only write lock.
    """

    worker_id = models.CharField("编号", max_length=64, unique=True)
    host = models.CharField("主机", max_length=255)
    pid = models.PositiveIntegerField("进程号")
    started_at = models.DateTimeField("启动时间")
    seen_at = models.DateTimeField("最近心跳")

    class Meta:
        verbose_name = "后台进程"
        verbose_name_plural = "后台进程"

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"


class CalendarYear(models.Model):
    """One year's statutory holidays and adjusted working days (调休上班), entered by staff
    from the State Council's notice (国务院办公厅关于部分节假日安排的通知) when it is
    published before the holiday library has it. It replaces the library's data for that
    year (``zhujian.core.deadlines``)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    holidays = models.TextField(
        "放假日期", help_text="每行一天或一段，如 2027-02-05..2027-02-13（含首尾两天）"
    )
    workdays = models.TextField(
        "调休上班日期", blank=True, help_text="周末调为上班的日期，每行一天，如 2027-02-14"
    )
    notice = models.CharField(
        "依据文件", max_length=200, help_text="如：国务院办公厅关于2027年部分节假日安排的通知"
    )
    reason = models.CharField("修改原因", max_length=200)
    changed_by = models.ForeignKey(
        User,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "法定节假日年度"
        verbose_name_plural = "法定节假日年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年节假日安排"


class ParamValue(models.Model):
    """A value staff set on the 参数设置 page for one declared parameter
    (``zhujian.core.params``); it takes precedence over the environment and the default."""

    key = models.CharField("参数", max_length=80, unique=True)
    value = models.JSONField("取值")
    reason = models.CharField("修改原因", max_length=200)
    changed_by = models.ForeignKey(
        User,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "参数设置"
        verbose_name_plural = "参数设置"
        permissions = [
            ("manage_parameters", "可修改参数设置和法定节假日"),
            ("manage_security", "可修改安全设置、重置双因素认证"),
        ]

    def __str__(self) -> str:
        return self.key


def _calendar_changed(**kwargs: Any) -> None:
    from zhujian.core import deadlines

    deadlines.invalidate_calendar()


models.signals.post_save.connect(codes.unit_saved, sender=OrgUnit)
models.signals.post_delete.connect(codes.invalidate, sender=OrgUnit)
models.signals.post_save.connect(_calendar_changed, sender=CalendarYear)
models.signals.post_delete.connect(_calendar_changed, sender=CalendarYear)


def _params_changed(**kwargs: Any) -> None:
    from zhujian.core import audit, params

    params.invalidate()
    instance = kwargs["instance"]
    if kwargs.get("raw"):
        return
    param = params.REGISTRY.get(instance.key)
    label = param.label if param is not None else instance.key
    what = (
        "恢复为配置或默认值"
        if "created" not in kwargs
        else f"设为 {json.dumps(instance.value, ensure_ascii=False)[:200]}"
    )
    actor, request = audit._actor()
    audit.record(
        audit.Kind.SETTINGS,
        f"参数“{label}”{what}；原因：{instance.reason}",
        user=actor or instance.changed_by,
        request=request,
    )


def _calendar_audited(instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from zhujian.core import audit

    if raw:
        return
    actor, request = audit._actor()
    verb = "删除" if "created" not in kwargs else "保存"
    audit.record(
        audit.Kind.SETTINGS,
        f"{verb}{instance.year}年法定节假日安排；原因：{instance.reason}",
        user=actor or instance.changed_by,
        request=request,
    )


models.signals.post_save.connect(_calendar_audited, sender=CalendarYear)
models.signals.post_delete.connect(_calendar_audited, sender=CalendarYear)


models.signals.post_save.connect(_params_changed, sender=ParamValue)
models.signals.post_delete.connect(_params_changed, sender=ParamValue)


class Transition(models.Model):
    """One step of a record's workflow taken, sent back (退回) or chased (催办): who, from
    which unit, when, why, and through which path (``zhujian.core.workflows``). Written,
    never edited."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "提交"
        RETURN = "return", "退回"
        REMIND = "remind", "催办"

    class Via(models.TextChoices):
        STEP = "step", "办理页面"
        FORM = "form", "编辑表单"
        API = "api", "接口"
        IMPORT = "import", "导入"

    workflow = models.CharField("流程", max_length=64)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", models.CASCADE, verbose_name="台账", related_name="+"
    )
    object_id = models.PositiveBigIntegerField("记录ID")
    step = models.CharField("环节", max_length=32)
    step_label = models.CharField("环节名称", max_length=50)
    action = models.CharField("操作", max_length=10, choices=Action.choices)
    user = models.ForeignKey(
        User, models.SET_NULL, null=True, verbose_name="办理人", related_name="transitions"
    )
    unit = models.ForeignKey(
        OrgUnit, models.SET_NULL, null=True, blank=True, verbose_name="办理单位", related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    reason = models.CharField("原因或说明", max_length=200, blank=True)
    via = models.CharField("途径", max_length=10, choices=Via.choices, default=Via.STEP)

    class Meta:
        verbose_name = "流程记录"
        verbose_name_plural = "流程记录"
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="core_transition_obj_idx"),
            models.Index(fields=["user", "action"], name="core_transition_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.step_label} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class SecurityEvent(models.Model):
    """One security event (安全审计记录, GB/T 22239 §8.1.4.3): who, when, from where, what.

    Written only through :func:`zhujian.core.audit.record`, never edited: each row carries
    the SM3 hash of its contents chained to the previous row's hash, and
    ``zhujian audit verify`` names the first row that no longer fits its chain. The user
    is kept by id and login, not as a foreign key, so deleting a user changes no row."""

    at = models.DateTimeField("时间", db_index=True)
    kind = models.CharField("事件类型", max_length=24, db_index=True)
    outcome = models.BooleanField("成功", default=True)
    user_id_value = models.BigIntegerField("用户ID", null=True, blank=True)
    username = models.CharField("登录名", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    detail = models.CharField("内容", max_length=500)
    ledger = models.CharField("台账", max_length=64, blank=True)
    record_id = models.PositiveBigIntegerField("记录ID", null=True, blank=True)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("哈希（SM3）", max_length=64)

    class Meta:
        verbose_name = "安全审计记录"
        verbose_name_plural = "安全审计记录"
        ordering = ["-id"]
        permissions = [("export_securityevent", "可以导出安全审计记录")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.detail}"


class AuditChainHead(models.Model):
    """The chain's last hash (one row): appending locks it, so concurrent writers queue and
    the chain never forks."""

    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return self.last_hash


class AuditCheckpoint(models.Model):
    """What pruning left behind: the last pruned row's id and hash (the next row's
    ``prev_hash`` must equal it), how many rows went, signed with HMAC-SM3 under a key
    derived from the data key (outside the database)."""

    created_at = models.DateTimeField("时间", auto_now_add=True)
    through_id = models.BigIntegerField("删除至记录ID")
    through_at = models.DateTimeField("删除至时间")
    last_hash = models.CharField("最后一条的哈希", max_length=64)
    pruned = models.PositiveIntegerField("删除条数")
    username = models.CharField("操作人", max_length=150, blank=True)
    key_id = models.CharField("签名密钥", max_length=16)
    signature = models.CharField("签名（HMAC-SM3）", max_length=64)

    class Meta:
        verbose_name = "审计记录清理检查点"
        verbose_name_plural = "审计记录清理检查点"
        ordering = ["-through_id"]

    def __str__(self) -> str:
        return f"至 #{self.through_id}（{self.pruned} 条）"


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords (no reuse of the last N, core.sessions)."""

    user = models.ForeignKey(User, models.CASCADE, related_name="+", verbose_name="用户")
    password = models.CharField("密码哈希", max_length=128)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """A per-client API token (等保 L3-CES1-04): only its SM3 digest is stored, the token is
    shown once; it acts as its owner (same scope), until its expiry or revocation."""

    name = models.CharField("客户端名称", max_length=100)
    user = models.ForeignKey(
        User, models.CASCADE, related_name="api_tokens", verbose_name="所属用户"
    )
    prefix = models.CharField("令牌前缀", max_length=12, db_index=True)
    digest = models.CharField("令牌摘要（SM3）", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("有效期至")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    last_used_ip = models.GenericIPAddressField("最近使用地址", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def status(self) -> str:
        from django.utils import timezone

        if self.revoked_at is not None:
            return "已吊销"
        if self.expires_at <= timezone.now():
            return "已过期"
        return "有效"


class RecoveryCode(models.Model):
    """A one-time recovery code of the second factor: a public id and a password hash of the
    secret part (Django's hasher), used at most once."""

    user = models.ForeignKey(
        User, models.CASCADE, related_name="recovery_codes", verbose_name="用户"
    )
    ident = models.CharField("编号", max_length=8)
    digest = models.CharField("哈希", max_length=128)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "恢复码"
        verbose_name_plural = "恢复码"
        constraints = [
            models.UniqueConstraint(fields=["user", "ident"], name="recovery_code_unique_ident")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.ident}"
