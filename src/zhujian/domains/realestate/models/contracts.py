"""Sale contracts from the housing-transaction system (网签备案) and promotion events.

A contract's state follows from its dates (草签 → 网签 → 备案 → 变更/注销), so it can never
disagree with them; the filing deadline (30 days after signing) is stored, and a filing
after it is flagged. A contract counts as a sale from its 网签 date until it is cancelled.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from zhujian.core import personal
from zhujian.core.crypto import BlindIndexField, EncryptedCharField
from zhujian.core.deadlines import Clock, Deadlines, due_after
from zhujian.core.models import LedgerModel
from zhujian.domains.realestate import rules
from zhujian.domains.realestate.models.projects import DevelopmentProject


class Use(models.TextChoices):
    RESIDENTIAL = "residential", "住宅"
    COMMERCIAL = "commercial", "商业"
    OFFICE = "office", "办公"
    PARKING = "parking", "车位车库"
    STORAGE = "storage", "储藏室"
    OTHER = "other", "其他"


# 商品房 in the sales figures: the dwellings, shops and offices a buyer contracts for,
# not parking spaces and storage rooms sold with them.
NOT_HOUSING = (Use.PARKING, Use.STORAGE)


class ContractState(models.TextChoices):
    DRAFT = "draft", "草签"
    SIGNED = "signed", "网签"
    FILED = "filed", "备案"
    CHANGED = "changed", "变更"
    CANCELLED = "cancelled", "注销"


class SalesContract(LedgerModel):
    """A 商品房买卖合同 as the housing-transaction system exports it."""

    unit_from = "project"
    # The signing date starts the filing deadline and is judged against the presale
    # permit: a stored one is corrected only with a reason (``core.claims``).
    claim_fields = ("signed_on",)

    contract_no = models.CharField("合同编号", max_length=40, unique=True)
    project = models.ForeignKey(
        DevelopmentProject, models.PROTECT, related_name="contracts", verbose_name="开发项目"
    )
    filing_no = models.CharField("备案号", max_length=40, blank=True)
    building = models.CharField("楼栋", max_length=20)
    room = models.CharField("房号", max_length=20)
    use = models.CharField("房屋用途", max_length=12, choices=Use.choices)
    area = models.DecimalField(
        "建筑面积（平方米）",
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    price = models.DecimalField(
        "合同总价（元）",
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    buyer = models.CharField("买受人", max_length=100)
    buyer_phone = EncryptedCharField(
        "买受人电话", max_length=20, blank=True, validators=[personal.validate_phone]
    )
    buyer_id_number = EncryptedCharField(
        "买受人身份证号", max_length=18, blank=True, validators=[personal.validate_id_number]
    )
    buyer_id_number_index = BlindIndexField(of="buyer_id_number")
    signed_on = models.DateField("网签日期", null=True, blank=True, db_index=True)
    filed_on = models.DateField("备案日期", null=True, blank=True)
    changed_on = models.DateField("变更日期", null=True, blank=True)
    change_note = models.CharField("变更内容", max_length=200, blank=True)
    cancelled_on = models.DateField("注销日期", null=True, blank=True)
    cancel_reason = models.CharField("注销原因", max_length=200, blank=True)
    # Computed from the dates by derive().
    state = models.CharField(
        "合同状态", max_length=10, choices=ContractState.choices, editable=False, db_index=True
    )
    filing_due_on = models.DateField("备案期限", null=True, editable=False)
    filed_late = models.BooleanField("逾期备案", default=False, editable=False)

    derived_fields = ("state", "filing_due_on", "filed_late")

    class Meta:
        verbose_name = "商品房网签备案合同"
        verbose_name_plural = "商品房网签备案合同"
        indexes = [models.Index(fields=["project", "building", "room"])]

    def __str__(self) -> str:
        return f"{self.contract_no} {self.building}-{self.room}"

    def derive(self) -> None:
        super().derive()
        if self.buyer_id_number:
            self.buyer_id_number = personal.normalise_id_number(self.buyer_id_number)
        self.filing_due_on = (
            due_after(self.signed_on, rules.value("CONTRACT_FILING_DAYS"))
            if self.signed_on
            else None
        )
        self.filed_late = bool(
            self.filed_on and self.filing_due_on and self.filed_on > self.filing_due_on
        )
        self.state = self.derive_state()

    def derive_state(self) -> str:
        if self.cancelled_on:
            return ContractState.CANCELLED
        if self.changed_on:
            return ContractState.CHANGED
        if self.filed_on:
            return ContractState.FILED
        if self.signed_on:
            return ContractState.SIGNED
        return ContractState.DRAFT

    def clean(self) -> None:
        errors: dict[str, str] = {}
        signed, filed = self.signed_on, self.filed_on
        if filed:
            if not signed:
                errors["filed_on"] = "尚未网签的合同不能备案（草签须先网签）"
            elif filed < signed:
                errors["filed_on"] = "备案日期不能早于网签日期"
            if not self.filing_no.strip():
                errors["filing_no"] = "已备案的合同须填写备案号"
        elif self.filing_no.strip():
            errors["filed_on"] = "填写了备案号，请填写备案日期"
        if self.changed_on:
            if not filed:
                errors["changed_on"] = "只有已备案的合同才能变更"
            elif self.changed_on < filed:
                errors["changed_on"] = "变更日期不能早于备案日期"
            if not self.change_note.strip():
                errors["change_note"] = "请填写变更内容"
        if self.cancelled_on:
            last = max(d for d in (signed, filed, self.changed_on, self.cancelled_on) if d)
            if signed and self.cancelled_on < signed:
                errors["cancelled_on"] = "注销日期不能早于网签日期"
            elif last > self.cancelled_on:
                errors["cancelled_on"] = "合同注销后不能再备案或变更：注销日期应晚于备案、变更日期"
            if not self.cancel_reason.strip():
                errors["cancel_reason"] = "请填写注销原因"
        if self.area and self.price and self.area > 0:
            unit_price = self.price / self.area
            if not Decimal(300) <= unit_price <= Decimal(200000):
                errors["price"] = (
                    f"合同总价与面积不符：折合单价 {unit_price:.0f} 元/平方米，请核对单位（元）"
                )
        if errors:
            raise ValidationError(errors)


def sold_by(end: Any) -> Q:
    """Contracts that are sales on ``end``: signed (网签) and not cancelled by then."""
    return Q(signed_on__isnull=False) & (Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=end))


# The filing clock: unfiled contracts past their 30 days are the overdue list.
FILING = Clock("filing_due_on", "filed_on", "合同备案")
FILING_DEADLINES = Deadlines(
    [FILING], soon_days=7, active=Q(cancelled_on__isnull=True), label="合同备案期限"
)


class SalesEvent(LedgerModel):
    """A promotion (房展会、促销周) whose days the report gives sales for. The report names it
    by a report tag (报告标记) staff put on it."""

    name = models.CharField("活动名称", max_length=100)
    starts_on = models.DateField("开始日期", db_index=True)
    ends_on = models.DateField("结束日期")
    organiser = models.CharField("主办单位", max_length=100, blank=True)
    projects = models.PositiveIntegerField("参展项目数", default=0)
    note = models.TextField("活动情况", blank=True)

    class Meta:
        verbose_name = "房地产促销活动"
        verbose_name_plural = "房地产促销活动"
        constraints = [
            models.UniqueConstraint(fields=["name", "starts_on"], name="sales_event_once")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on:
            if self.ends_on < self.starts_on:
                raise ValidationError({"ends_on": "结束日期不能早于开始日期"})
            if (self.ends_on - self.starts_on).days > 62:
                raise ValidationError({"ends_on": "促销活动不超过两个月，请核对日期"})
