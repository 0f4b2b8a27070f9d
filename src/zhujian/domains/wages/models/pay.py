"""Monthly pay sheets from the employers (条例 Art 15, 31) and the payments the special
account made to each worker's own card (imported from the bank's file)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from zhujian.core import personal
from zhujian.core.crypto import BlindIndexField, EncryptedCharField
from zhujian.core.models import LedgerModel
from zhujian.domains.construction.models import ConstructionProject, Enterprise
from zhujian.domains.wages.models.workers import Worker, employs_on

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class PaySheet(LedgerModel):
    """One employer's pay sheet for one month on one project (工资支付表)."""

    unit_from = "project"
    derived_fields = ("month",)

    number = models.CharField("工资表编号", max_length=40, unique=True)
    project = models.ForeignKey(
        ConstructionProject, models.CASCADE, related_name="pay_sheets", verbose_name="项目"
    )
    employer = models.ForeignKey(
        Enterprise, models.PROTECT, related_name="pay_sheets", verbose_name="编制单位"
    )
    month = models.DateField(
        "工资所属月份", db_index=True, help_text="填写该月任一日期，如 2022-05-01"
    )
    submitted_on = models.DateField("报送日期")
    paid_on = models.DateField("支付日期", null=True, blank=True)

    class Meta:
        verbose_name = "工资支付表"
        verbose_name_plural = "工资支付表"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "employer", "month"], name="wages_paysheet_once_a_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.month:%Y年%m月}" if self.month else self.number

    def derive(self) -> None:
        super().derive()
        if self.month:
            self.month = self.month.replace(day=1)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.project_id and self.employer_id and not employs_on(self.employer_id, self.project):
            errors["employer"] = "编制单位须为本项目的施工总承包单位或分包单位"
        if self.month and self.submitted_on and self.submitted_on < self.month:
            errors["submitted_on"] = "报送日期不能早于工资所属月份"
        # Signatures and full payment against the lines: the rule ``wage_pay_sheet``
        # (wages.invariants), checked whenever a sheet, a line or a payment changes.
        if self.paid_on and self.month and self.paid_on < self.month:
            errors["paid_on"] = "支付日期不能早于工资所属月份"
        if errors:
            raise ValidationError(errors)


class PayLine(LedgerModel):
    """One worker's line on a pay sheet: days, gross, deductions, net, the signature."""

    unit_from = "sheet"
    derived_fields = ("net",)

    sheet = models.ForeignKey(
        PaySheet, models.CASCADE, related_name="lines", verbose_name="工资表编号"
    )
    worker = models.ForeignKey(
        Worker, models.PROTECT, related_name="pay_lines", verbose_name="人员编号"
    )
    days = models.DecimalField("出勤天数", max_digits=4, decimal_places=1, default=0)
    gross = models.DecimalField("应发工资（元）", **MONEY)
    deductions = models.DecimalField("扣款（元）", default=0, **MONEY)
    net = models.DecimalField("实发工资（元）", default=0, editable=False, **MONEY)
    signed = models.BooleanField("本人签字", default=False)
    bank_slip = models.CharField(
        "银行回单号",
        max_length=40,
        blank=True,
        help_text="银行代发回单号；回单不能代替工人本人签字（条例第三十一条）",
    )

    class Meta:
        verbose_name = "工资表明细"
        verbose_name_plural = "工资表明细"
        constraints = [
            models.UniqueConstraint(fields=["sheet", "worker"], name="wages_payline_once")
        ]

    def __str__(self) -> str:
        return f"{self.sheet_id}/{self.worker_id}"

    def derive(self) -> None:
        super().derive()
        self.net = (self.gross or Decimal(0)) - (self.deductions or Decimal(0))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.gross is not None and self.deductions is not None and self.deductions > self.gross:
            errors["deductions"] = "扣款不能大于应发工资"
        if self.worker_id and self.sheet_id:
            worker, sheet = self.worker, self.sheet
            problem = worker.payable_problem()
            if problem:
                errors["worker"] = problem
            elif worker.project_id != sheet.project_id:
                errors["worker"] = "该工人不是本项目实名登记的工人"
        if errors:
            raise ValidationError(errors)


class WagePayment(LedgerModel):
    """A payment from the project's special wage account to a worker (the bank's file)."""

    unit_from = "sheet"
    derived_fields = ("project", "month")

    number = models.CharField("银行流水号", max_length=40, unique=True)
    sheet = models.ForeignKey(
        PaySheet, models.PROTECT, related_name="payments", verbose_name="工资表编号"
    )
    worker = models.ForeignKey(
        Worker, models.PROTECT, related_name="payments", verbose_name="人员编号"
    )
    payee_card = EncryptedCharField(
        "收款账号", max_length=23, validators=[personal.validate_bank_card]
    )
    payee_card_index = BlindIndexField(of="payee_card")
    amount = models.DecimalField(
        "金额（元）",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    paid_on = models.DateField("交易日期")
    project = models.ForeignKey(
        ConstructionProject, models.CASCADE, related_name="+", editable=False, verbose_name="项目"
    )
    month = models.DateField("工资所属月份", editable=False)

    class Meta:
        verbose_name = "专用账户代发记录"
        verbose_name_plural = "专用账户代发记录"
        indexes = [
            models.Index(fields=["worker", "month"], name="wages_pay_worker_month"),
            models.Index(fields=["project", "month"], name="wages_pay_project_month"),
        ]

    def __str__(self) -> str:
        return self.number

    def derive(self) -> None:
        super().derive()
        if self.sheet_id:
            self.project_id = self.sheet.project_id
            self.month = self.sheet.month.replace(day=1)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.payee_card = (self.payee_card or "").replace(" ", "")
        if not (self.sheet_id and self.worker_id):
            return
        sheet, worker = self.sheet, self.worker
        # The worker's line, its signature and the amount: rule ``wage_pay_sheet``.
        if self.payee_card and self.payee_card != worker.bank_card:
            errors["payee_card"] = "收款账号不是该工人本人的工资卡：工资须直接支付到工人本人账户"
        setup = getattr(sheet.project, "wage_setup", None)
        if setup is None or not setup.account_number:
            errors["sheet"] = errors.get("sheet") or "该项目未开立农民工工资专用账户，不能登记代发"
        if self.paid_on and sheet.month and self.paid_on < sheet.month:
            errors["paid_on"] = "交易日期不能早于工资所属月份"
        if errors:
            raise ValidationError(errors)
