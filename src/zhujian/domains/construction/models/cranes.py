"""建筑起重机械: each machine's lifecycle as dated stages.

产权备案 → 安装告知 → 安装 → 检验 → 验收 → 使用登记 → 拆卸告知 → 拆卸 → 注销
(建设工程安全生产管理条例 第十七、三十五条; 《建筑起重机械安全监督管理规定》建设部令第166号).

No stage may be dated before the previous one, so a machine is never installed without an
installation notice nor removed without a removal notice. A machine that failed its
inspection or acceptance, or was never registered for use, may still be dismantled: the
removal stages may follow the installation directly. Inspection and acceptance record
their result (合格/不合格); only an accepted machine is registered for use (第十七条), and
使用登记 is due within 30 days of acceptance, counted like every other deadline
(``core.deadlines.due_after``): a registration after that day is flagged
(``late_registration``). A machine older than its kind's safety-assessment age (JGJ/T
189-2009 第3.0.1条) is due for a 安全评估 (``assessment_due_on``), listed with the overdue
deadlines until one is recorded. A machine moved
to another site starts its installation again: its install-to-removal dates are cleared
with a recorded reason, and the history keeps the previous cycle.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from zhujian.core.deadlines import Clock, Deadlines, due_after
from zhujian.core.models import LedgerModel
from zhujian.core.stages import StagedModel, Stages
from zhujian.domains.construction import conf
from zhujian.domains.construction.conf import add_years as rules_add_years
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


class CheckResult(models.TextChoices):
    PASSED = "passed", "合格"
    FAILED = "failed", "不合格"


# Stages a machine that never went into use skips on its way to dismantling.
USE_STAGES = ("inspected_on", "accepted_on", "registered_on")
REMOVAL_STAGES = ("removal_notice_on", "removed_on", "cancelled_on")


def registration_overdue(day: dt.date) -> Q:
    """Machines whose 使用登记 was due before ``day`` and not made by it."""
    return Q(registration_due_on__lt=day) & (
        Q(registered_on__isnull=True) | Q(registered_on__gt=day)
    )


REGISTRATION = Clock("registration_due_on", "registered_on", "使用登记")
ASSESSMENT = Clock("assessment_due_on", "assessed_on", "安全评估")
DEADLINES = Deadlines([REGISTRATION, ASSESSMENT], label="起重机械期限")


class LiftingMachine(StagedModel, LedgerModel):
    """A construction lifting machine (塔吊、施工升降机…) and where it stands in its lifecycle."""

    stages = CRANE_STAGES
    unit_from = "project"
    derived_fields = ("registration_due_on", "late_registration", "assessment_due_on")
    # The dates its deadlines run from: corrected only with a reason (``core.claims``).
    claim_fields = ("made_on", "accepted_on", "registered_on")

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
    inspection_result = models.CharField(
        "检验结论", max_length=10, choices=CheckResult.choices, blank=True
    )
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    acceptance_result = models.CharField(
        "验收结论", max_length=10, choices=CheckResult.choices, blank=True
    )
    registered_on = models.DateField("使用登记日期", null=True, blank=True, db_index=True)
    registration_number = models.CharField("使用登记编号", max_length=30, blank=True)
    removal_notice_on = models.DateField("拆卸告知日期", null=True, blank=True, db_index=True)
    removed_on = models.DateField("拆卸完成日期", null=True, blank=True)
    cancelled_on = models.DateField("注销日期", null=True, blank=True)
    assessed_on = models.DateField(
        "安全评估日期",
        null=True,
        blank=True,
        help_text="超过评估年限的塔式起重机、施工升降机须经安全评估合格方可继续使用",
    )
    registration_due_on = models.DateField("使用登记期限", null=True, editable=False)
    assessment_due_on = models.DateField("安全评估期限", null=True, editable=False)
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
        self.registration_due_on = (
            due_after(self.accepted_on, conf.crane_registration_days())
            if self.accepted_on and self.acceptance_result != CheckResult.FAILED
            else None
        )
        self.late_registration = bool(
            self.registration_due_on
            and self.registered_on
            and self.registered_on > self.registration_due_on
        )
        years = conf.crane_assessment_years(self.kind)
        self.assessment_due_on = (
            rules_add_years(self.made_on, years)
            if self.made_on and years and not (self.removed_on or self.cancelled_on)
            else None
        )

    def clean(self) -> None:
        errors = self.stage_errors()
        self._allow_dismantling_unused(errors)
        self._check_results(errors)
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

    def _allow_dismantling_unused(self, errors: dict[str, str]) -> None:
        """A machine installed but never put into use (failed its inspection or
        acceptance, or never registered) may be dismantled: its removal stages may follow
        the last stage it reached, in date order."""
        first_removal = next((f for f in REMOVAL_STAGES if getattr(self, f)), None)
        if first_removal is None or not self.installed_on:
            return
        reached = [getattr(self, f) for f in ("installed_on", *USE_STAGES) if getattr(self, f)]
        skipped = [f for f in USE_STAGES if not getattr(self, f)]
        if not skipped:
            return
        for name in REMOVAL_STAGES:
            message = errors.get(name, "")
            if message.startswith("不能跳过") and any(
                f"“{s.label}”" in message for s in CRANE_STAGES if s.field in USE_STAGES
            ):
                del errors[name]
        day = getattr(self, first_removal)
        if day < max(reached):
            errors[first_removal] = (
                f"“拆卸”相关日期不能早于该机械最近一个已办理环节的日期（{max(reached)}）"
            )

    def _check_results(self, errors: dict[str, str]) -> None:
        pairs = (
            ("inspected_on", "inspection_result", "检验"),
            ("accepted_on", "acceptance_result", "验收"),
        )
        for date_field, result_field, label in pairs:
            if getattr(self, date_field) and not getattr(self, result_field):
                errors.setdefault(
                    result_field, f"填写了{label}日期，请选择{label}结论（合格或不合格）"
                )
            elif getattr(self, result_field) and not getattr(self, date_field):
                errors.setdefault(date_field, f"填写了{label}结论，请填写{label}日期")
        if self.accepted_on and self.inspection_result == CheckResult.FAILED:
            errors.setdefault(
                "accepted_on",
                f"检验不合格（{self.inspected_on}）的起重机械不得组织验收投入使用"
                "（《建筑起重机械安全监督管理规定》建设部令第166号 第十六条）",
            )
        if self.registered_on and self.acceptance_result == CheckResult.FAILED:
            errors.setdefault(
                "registered_on",
                f"验收不合格（{self.accepted_on}）的起重机械不得办理使用登记"
                "（《建筑起重机械安全监督管理规定》建设部令第166号 第十六条、第十七条）",
            )

    @property
    def registration_delay(self) -> int | None:
        """Days from acceptance to 使用登记 (None until both are dated)."""
        if self.accepted_on and self.registered_on:
            return (self.registered_on - self.accepted_on).days
        return None
