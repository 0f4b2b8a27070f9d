"""A project's wage-payment set-up (条例 Art 24–34) and the checklist of what it lacks."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from zhujian.core import personal
from zhujian.core.crypto import EncryptedCharField
from zhujian.core.models import LedgerModel
from zhujian.domains.construction.models import ConstructionProject
from zhujian.domains.wages import conf
from zhujian.domains.wages.models.closing import outstanding


class GuaranteeKind(models.TextChoices):
    DEPOSIT = "deposit", "工资保证金"
    BANK = "bank", "银行保函"
    EXEMPT = "exempt", "依规免缴"


class ProjectWageSetup(LedgerModel):
    """One per project: the special wage account, the deposit or guarantee, the wage
    officer and the notice board. ``gaps`` lists what is missing (derived on every save)."""

    unit_from = "project"
    derived_fields = ("gaps", "compliant")

    project = models.OneToOneField(
        ConstructionProject, models.CASCADE, related_name="wage_setup", verbose_name="项目"
    )
    account_bank = models.CharField("专用账户开户银行", max_length=60, blank=True)
    account_number = models.CharField(
        "农民工工资专用账户账号",
        max_length=30,
        blank=True,
        validators=[RegexValidator(r"^\d{8,30}$", "账号应为8—30位数字")],
    )
    account_opened_on = models.DateField("专用账户开立日期", null=True, blank=True)
    guarantee_kind = models.CharField(
        "工资保证金形式", max_length=10, choices=GuaranteeKind.choices, blank=True
    )
    guarantee_amount = models.DecimalField(
        "保证金（保函）金额（元）",
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    officer = models.CharField("劳资专管员", max_length=30, blank=True)
    officer_phone = EncryptedCharField(
        "劳资专管员电话", max_length=20, blank=True, validators=[personal.validate_phone]
    )
    notice_board = models.BooleanField("已设置维权信息告示牌", default=False)
    pay_day = models.PositiveSmallIntegerField(
        "每月工资支付日",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="次月几日前支付上月工资；留空按全县默认",
    )
    closing_notice_on = models.DateField("注销公示开始日期", null=True, blank=True)
    closed_on = models.DateField("专用账户注销日期", null=True, blank=True, db_index=True)
    gaps = models.CharField("合规缺项", max_length=200, blank=True, editable=False)
    compliant = models.BooleanField("合规", default=False, editable=False, db_index=True)

    class Meta:
        verbose_name = "项目工资监管"
        verbose_name_plural = "项目工资监管"

    def __str__(self) -> str:
        return f"{self.project}"

    def checklist(self) -> list[tuple[str, bool]]:
        """The 条例's requirements for a project on site, each with whether it is met."""
        project = self.project if self.project_id else None
        guaranteed = self.guarantee_kind == GuaranteeKind.EXEMPT or (
            bool(self.guarantee_kind) and (self.guarantee_amount or 0) > 0
        )
        return [
            ("施工总承包单位", bool(project and project.contractor_id)),
            ("农民工工资专用账户", bool(self.account_number and self.account_opened_on)),
            ("工资保证金或银行保函", guaranteed),
            ("劳资专管员", bool(self.officer.strip())),
            ("维权信息告示牌", self.notice_board),
            ("实名制管理", bool(project and project.realname_on)),
        ]

    def derive(self) -> None:
        super().derive()
        missing = [label for label, ok in self.checklist() if not ok]
        self.gaps = "、".join(missing)
        self.compliant = not missing

    def pay_deadline(self, month: dt.date) -> dt.date:
        """The day by which ``month``'s wages must be paid (in the following month)."""
        return pay_deadline(month, self.pay_day)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.guarantee_kind in (GuaranteeKind.DEPOSIT, GuaranteeKind.BANK) and not (
            self.guarantee_amount and self.guarantee_amount > 0
        ):
            errors["guarantee_amount"] = "缴存工资保证金或提交银行保函的，须填写金额"
        if self.closing_notice_on and not self.account_opened_on:
            errors["closing_notice_on"] = "尚未开立专用账户，不能公示注销"
        if self.closed_on:
            errors.update(self._closing_problems())
        if errors:
            raise ValidationError(errors)

    def _closing_problems(self) -> dict[str, str]:
        """条例 Art 26–27: completion, no arrears, and a public notice of 30 days."""
        problems: list[str] = []
        project = self.project
        if not project.completed_on or project.completed_on > self.closed_on:
            problems.append("项目尚未竣工验收")
        days = conf.closing_notice_days()
        if not self.closing_notice_on:
            problems.append(f"未进行{days}日公示")
        elif self.closed_on < self.closing_notice_on + dt.timedelta(days=days):
            problems.append(f"公示期未满{days}日")
        if self.pk is not None or self.project_id:
            owed = outstanding(project)
            if owed:
                problems.append(owed)
        if not problems:
            return {}
        return {"closed_on": "不能注销专用账户：" + "；".join(problems)}


def pay_deadline(month: dt.date, pay_day: int | None = None) -> dt.date:
    """Day ``pay_day`` (default: the county's) of the month after ``month``, or that
    month's last day when it is shorter."""
    day = pay_day or conf.pay_day()
    year, number = (month.year + 1, 1) if month.month == 12 else (month.year, month.month + 1)
    following = dt.date(year, number, 1)
    last = (following.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return following.replace(day=min(day, last.day))
