"""建筑起重机械: each machine's lifecycle as dated stages.

产权备案 → 安装告知 → 安装 → 检验 → 验收 → 使用登记 → 拆卸告知 → 拆卸 → 注销
(建设工程安全生产管理条例 第十七、三十五条; 《建筑起重机械安全监督管理规定》建设部令第166号).

No stage may be dated before the previous one, so a machine is never installed without an
installation notice nor removed without a removal notice. 使用登记 later than the set
number of days (30) after acceptance is flagged (``late_registration``). A machine moved
to another site starts its installation again: its install-to-removal dates are cleared
with a recorded reason, and the history keeps the previous cycle.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from zhujian.core.models import LedgerModel
from zhujian.core.stages import StagedModel, Stages
from zhujian.domains.construction import conf
from zhujian.domains.construction.models.enterprises import Enterprise
from zhujian.domains.construction.models.projects import ConstructionProject


class MachineKind(models.TextChoices):
    TOWER = "tower", "塔式起重机"
    HOIST = "hoist", "施工升降机"
    MATERIAL = "material", "物料提升机"
    GANTRY = "gantry", "门式起重机"


CRANE_STAGES = Stages(
    [
        ("filed", "产权备案", "filed_on"),
        ("install_notice", "安装告知", "install_notice_on"),
        ("installed", "安装", "installed_on"),
        ("inspected", "检验", "inspected_on"),
        ("accepted", "验收", "accepted_on"),
        ("registered", "使用登记", "registered_on"),
        ("removal_notice", "拆卸告知", "removal_notice_on"),
        ("removed", "拆卸", "removed_on"),
        ("cancelled", "注销", "cancelled_on"),
    ]
)


def registration_overdue(day: dt.date) -> Q:
    """Machines accepted more than the allowed days before ``day`` and not registered by it."""
    limit = day - dt.timedelta(days=conf.crane_registration_days())
    return Q(accepted_on__lt=limit) & (Q(registered_on__isnull=True) | Q(registered_on__gt=day))


class LiftingMachine(StagedModel, LedgerModel):
    """A construction lifting machine (塔吊、施工升降机…) and where it stands in its lifecycle."""

    stages = CRANE_STAGES
    unit_from = "project"
    derived_fields = ("late_registration",)

    record_number = models.CharField("产权备案编号", max_length=30, unique=True)
    kind = models.CharField("设备类别", max_length=10, choices=MachineKind.choices)
    spec = models.CharField("规格型号", max_length=50)
    factory_number = models.CharField("出厂编号", max_length=50, blank=True)
    manufacturer = models.CharField("制造单位", max_length=100, blank=True)
    made_on = models.DateField("出厂日期", null=True, blank=True)
    owner = models.ForeignKey(
        Enterprise, models.PROTECT, related_name="machines", verbose_name="产权单位"
    )
    installer = models.ForeignKey(
        Enterprise,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="installed_machines",
        verbose_name="安装单位",
    )
    project = models.ForeignKey(
        ConstructionProject,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="machines",
        verbose_name="使用工程",
    )
    filed_on = models.DateField("产权备案日期", db_index=True)
    install_notice_on = models.DateField("安装告知日期", null=True, blank=True, db_index=True)
    installed_on = models.DateField("安装完成日期", null=True, blank=True)
    inspected_on = models.DateField("检验日期", null=True, blank=True)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    registered_on = models.DateField("使用登记日期", null=True, blank=True, db_index=True)
    registration_number = models.CharField("使用登记编号", max_length=30, blank=True)
    removal_notice_on = models.DateField("拆卸告知日期", null=True, blank=True, db_index=True)
    removed_on = models.DateField("拆卸完成日期", null=True, blank=True)
    cancelled_on = models.DateField("注销日期", null=True, blank=True)
    late_registration = models.BooleanField(
        "使用登记超期", default=False, editable=False, help_text="验收后超过规定天数才办理使用登记"
    )

    class Meta:
        verbose_name = "建筑起重机械"
        verbose_name_plural = "建筑起重机械"

    def __str__(self) -> str:
        return f"{self.record_number} {self.get_kind_display()}"

    def derive(self) -> None:
        super().derive()
        self.late_registration = bool(
            self.accepted_on
            and self.registered_on
            and (self.registered_on - self.accepted_on).days > conf.crane_registration_days()
        )

    def clean(self) -> None:
        errors = self.stage_errors()
        # The rules the law names, in its words, rather than the generic “不能跳过”.
        if self.installed_on and not self.install_notice_on:
            errors["installed_on"] = (
                "未办理安装告知的起重机械不得安装：请先填写安装告知日期"
                "（《建筑起重机械安全监督管理规定》）"
            )
        if self.removed_on and not self.removal_notice_on:
            errors["removed_on"] = "未办理拆卸告知的起重机械不得拆卸：请先填写拆卸告知日期"
        if self.install_notice_on and not self.project_id:
            errors.setdefault("project", "办理安装告知须填写使用工程")
        if self.registered_on and not self.registration_number.strip():
            errors.setdefault("registration_number", "办理使用登记须填写使用登记编号")
        if errors:
            raise ValidationError(errors)

    @property
    def registration_delay(self) -> int | None:
        """Days from acceptance to 使用登记 (None until both are dated)."""
        if self.accepted_on and self.registered_on:
            return (self.registered_on - self.accepted_on).days
        return None
