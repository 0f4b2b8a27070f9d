"""Workers by real name on a project (条例 Art 28) and their daily gate attendance."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from zhujian.core import personal
from zhujian.core.crypto import BlindIndexField, EncryptedCharField
from zhujian.core.models import LeanLedgerModel, LedgerModel
from zhujian.domains.construction.models import ConstructionProject, Enterprise, Participant
from zhujian.domains.construction.models.projects import SUBCONTRACT_ROLES


class Trade(models.TextChoices):
    REBAR = "rebar", "钢筋工"
    CARPENTER = "carpenter", "木工"
    MASON = "mason", "瓦工"
    CONCRETE = "concrete", "混凝土工"
    SCAFFOLD = "scaffold", "架子工"
    ELECTRICIAN = "electrician", "电工"
    WELDER = "welder", "焊工"
    PLUMBER = "plumber", "水暖工"
    PAINTER = "painter", "油漆工"
    LABOURER = "labourer", "普工"
    OTHER = "other", "其他"


def employs_on(enterprise_id: int | None, project: ConstructionProject) -> bool:
    """Whether the enterprise may employ workers on the project: its main contractor or
    one of its subcontractors (专业分包、劳务分包)."""
    if enterprise_id is None:
        return False
    if project.contractor_id == enterprise_id:
        return True
    return Participant.objects.filter(
        project=project, enterprise_id=enterprise_id, role__in=SUBCONTRACT_ROLES
    ).exists()


class Worker(LedgerModel):
    """One worker's real-name registration on one project (实名制登记)."""

    unit_from = "project"

    code = models.CharField(
        "人员编号", max_length=30, unique=True, help_text="实名制平台或门禁考勤设备的人员编号"
    )
    project = models.ForeignKey(
        ConstructionProject, models.CASCADE, related_name="workers", verbose_name="项目"
    )
    employer = models.ForeignKey(
        Enterprise, models.PROTECT, related_name="workers", verbose_name="用工单位"
    )
    name = models.CharField("姓名", max_length=30)
    id_number = EncryptedCharField(
        "身份证号", max_length=18, validators=[personal.validate_id_number]
    )
    id_number_index = BlindIndexField(of="id_number")
    phone = EncryptedCharField(
        "手机号码", max_length=20, blank=True, validators=[personal.validate_phone]
    )
    trade = models.CharField("工种", max_length=12, choices=Trade.choices)
    contract_signed_on = models.DateField(
        "劳动合同签订日期", null=True, blank=True, help_text="未签订劳动合同的不能列入工资表"
    )
    realname_on = models.DateField(
        "实名登记日期", null=True, blank=True, help_text="未完成实名登记的不能列入工资表"
    )
    bank_name = models.CharField("工资卡开户银行", max_length=60, blank=True)
    bank_card = EncryptedCharField(
        "工资卡号", max_length=23, blank=True, validators=[personal.validate_bank_card]
    )
    bank_card_index = BlindIndexField(of="bank_card")
    entered_on = models.DateField("进场日期")
    left_on = models.DateField("退场日期", null=True, blank=True)

    class Meta:
        verbose_name = "农民工实名登记"
        verbose_name_plural = "农民工实名登记"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "id_number_index"], name="wages_worker_once_per_project"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def payable(self) -> bool:
        """May be put on a pay sheet: a labour contract and real-name registration."""
        return bool(self.contract_signed_on and self.realname_on)

    def payable_problem(self) -> str | None:
        missing = [
            what
            for what, done in (
                ("未签订劳动合同", self.contract_signed_on),
                ("未完成实名登记", self.realname_on),
            )
            if not done
        ]
        if not missing:
            return None
        return f"{self}{'、'.join(missing)}，不能列入工资表"

    def derive(self) -> None:
        """One person, one way of writing the number (``x`` → ``X``), on every write path:
        the registration is unique per project by this value."""
        super().derive()
        self.id_number = personal.normalise_id_number(self.id_number)
        self.bank_card = (self.bank_card or "").replace(" ", "")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.derive()
        if self.left_on and self.entered_on and self.left_on < self.entered_on:
            errors["left_on"] = "退场日期不能早于进场日期"
        if self.realname_on and self.entered_on and self.realname_on > self.entered_on:
            errors["realname_on"] = "实名登记日期不能晚于进场日期（先登记、后进场）"
        if self.project_id and self.employer_id and not employs_on(self.employer_id, self.project):
            errors["employer"] = "用工单位须为本项目的施工总承包单位或分包单位"
        if errors:
            raise ValidationError(errors)


class Attendance(LeanLedgerModel):
    """One worker's presence on one day, as the site's gate devices export it.

    A lean ledger (no audit trail, see ``LeanLedgerModel``): a county holds about a
    million rows a year. ``project`` is copied from the worker so the monthly arrears
    check is one aggregate over (project, day) without a join."""

    unit_from = "worker"
    derived_fields = ("project",)

    worker = models.ForeignKey(
        Worker, models.CASCADE, related_name="attendance", verbose_name="人员编号"
    )
    # Indexed alone too: the import engine matches a batch's rows to existing ones by day
    # (a gate file is one day after another), and (worker, day) cannot serve that.
    day = models.DateField("考勤日期", db_index=True)
    hours = models.DecimalField(
        "工时（小时）",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    project = models.ForeignKey(
        ConstructionProject,
        models.CASCADE,
        related_name="+",
        editable=False,
        verbose_name="项目",
    )

    class Meta:
        verbose_name = "考勤记录"
        verbose_name_plural = "考勤记录"
        constraints = [
            models.UniqueConstraint(fields=["worker", "day"], name="wages_attendance_once_a_day")
        ]
        indexes = [models.Index(fields=["project", "day"], name="wages_att_project_day")]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.day}"

    def derive(self) -> None:
        super().derive()
        if self.worker_id:
            self.project_id = self.worker.project_id

    def clean(self) -> None:
        if not (self.worker_id and self.day):
            return
        worker = self.worker
        if isinstance(self.day, dt.date) and self.day < worker.entered_on:
            raise ValidationError({"day": "考勤日期早于该工人的进场日期"})
        if worker.left_on and self.day > worker.left_on:
            raise ValidationError({"day": "考勤日期晚于该工人的退场日期"})
