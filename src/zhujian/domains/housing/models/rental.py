"""公租房 / 廉租房 / 经济适用房: units, tenancies, rent, yearly re-checks, subsidies, transfers."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum

from zhujian.core.models import LedgerModel
from zhujian.domains.housing import conf
from zhujian.domains.rural.models.validators import id_number_error

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(0)]}


class RentalKind(models.TextChoices):
    PUBLIC = "public", "公租房"
    LOW_RENT = "low_rent", "廉租房"


class RentalUnit(LedgerModel):
    """A dwelling of the public rental stock. ``org_unit`` is the 社区 where it lies."""

    code = models.CharField("房源编号", max_length=30, unique=True)
    kind = models.CharField("房源类别", max_length=10, choices=RentalKind.choices)
    estate = models.CharField("项目（小区）", max_length=100)
    building = models.CharField("楼号", max_length=20)
    room = models.CharField("房号", max_length=20)
    floor_area = models.DecimalField("建筑面积（平方米）", max_digits=8, decimal_places=2)
    monthly_rent = models.DecimalField("月租金（元）", **MONEY)

    class Meta:
        verbose_name = "公租房房源"
        verbose_name_plural = "公租房房源"

    def __str__(self) -> str:
        return f"{self.estate}{self.building}号楼{self.room}室"


class Tenancy(LedgerModel):
    """A lease of one unit to one household (承租人)."""

    unit_from = "unit"

    unit = models.ForeignKey(
        RentalUnit, models.PROTECT, related_name="tenancies", verbose_name="房源"
    )
    contract_number = models.CharField("合同编号", max_length=30, unique=True)
    tenant_name = models.CharField("承租人姓名", max_length=32)
    id_number = models.CharField(
        "承租人身份证号（脱敏）", max_length=18, blank=True, help_text="如 3713**********1234"
    )
    members = models.PositiveSmallIntegerField("家庭人口", default=1)
    lease_start = models.DateField("租赁起始日期")
    lease_end = models.DateField("租赁截止日期")
    ended_on = models.DateField("退租日期", null=True, blank=True)

    class Meta:
        verbose_name = "公租房承租人"
        verbose_name_plural = "公租房承租人"

    def __str__(self) -> str:
        return f"{self.contract_number} {self.tenant_name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if msg := id_number_error(self.id_number):
            errors["id_number"] = msg
        start, end = self.lease_start, self.lease_end
        years = conf.rental_max_lease_years()
        if start and end:
            if end <= start:
                errors["lease_end"] = "租赁截止日期应晚于起始日期"
            elif end > _add_years(start, years):
                errors["lease_end"] = (
                    f"公租房租赁合同期限最长{years}年（公共租赁住房管理办法），"
                    "期满仍符合条件的应重新签订合同"
                )
        if self.ended_on and start and self.ended_on < start:
            errors["ended_on"] = "退租日期不能早于租赁起始日期"
        if start and end and self.unit_id and not errors:
            last = self.ended_on or end
            overlapping = (
                Tenancy.objects.filter(unit_id=self.unit_id, lease_start__lte=last)
                .filter(Q(ended_on__gte=start) | Q(ended_on__isnull=True, lease_end__gte=start))
                .exclude(pk=self.pk)
                .first()
            )
            if overlapping is not None:
                errors["lease_start"] = (
                    f"该房源在此期间已租给{overlapping.tenant_name}（合同{overlapping.contract_number}），"
                    "同一套房源的租期不能重叠"
                )
        if errors:
            raise ValidationError(errors)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class RentBill(LedgerModel):
    """The rent a tenancy owes for a year, due on a date (年度租金)."""

    unit_from = "tenancy"

    tenancy = models.ForeignKey(
        Tenancy, models.PROTECT, related_name="bills", verbose_name="承租人"
    )
    bill_number = models.CharField("账单编号", max_length=30, unique=True)
    year = models.PositiveSmallIntegerField("租金年度")
    amount_due = models.DecimalField("应缴租金（元）", **MONEY)
    due_on = models.DateField("缴纳期限")

    class Meta:
        verbose_name = "公租房租金账单"
        verbose_name_plural = "公租房租金账单"
        constraints = [
            models.UniqueConstraint(fields=["tenancy", "year"], name="rent_bill_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.bill_number}（{self.year}年）"


class RentPayment(LedgerModel):
    """Rent paid against a bill; paid after the due date it is a 补缴 of arrears."""

    unit_from = "bill"
    derived_fields = ("arrears",)

    bill = models.ForeignKey(RentBill, models.PROTECT, related_name="payments", verbose_name="账单")
    receipt_number = models.CharField("收据编号", max_length=30, unique=True)
    paid_on = models.DateField("缴纳日期", db_index=True)
    amount = models.DecimalField("缴纳金额（元）", **MONEY)
    arrears = models.BooleanField(
        "补缴欠租", default=False, editable=False, help_text="缴纳日期晚于缴纳期限（自动判定）"
    )

    class Meta:
        verbose_name = "公租房租金收缴"
        verbose_name_plural = "公租房租金收缴"

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.amount}元"

    def derive(self) -> None:
        super().derive()
        if self.bill_id and self.paid_on:
            self.arrears = self.paid_on > self.bill.due_on

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = "缴纳金额应大于0"
        if self.bill_id and self.amount and not errors:
            paid = (
                (
                    RentPayment.objects.filter(bill_id=self.bill_id)
                    .exclude(pk=self.pk)
                    .aggregate(s=Sum("amount"))["s"]
                )
                or 0
            )
            if paid + self.amount > self.bill.amount_due:
                errors["amount"] = (
                    f"该账单应缴{self.bill.amount_due}元，已缴{paid}元，本次最多可缴"
                    f"{self.bill.amount_due - paid}元"
                )
        if errors:
            raise ValidationError(errors)


class ReviewResult(models.TextChoices):
    QUALIFIED = "qualified", "符合条件，继续保障"
    ADJUSTED = "adjusted", "条件变化，调整租金"
    EXIT = "exit", "不再符合条件，退出保障"


class EligibilityReview(LedgerModel):
    """The yearly re-check of a tenant's eligibility (住建部令第11号: yearly 复核)."""

    unit_from = "tenancy"

    tenancy = models.ForeignKey(
        Tenancy, models.PROTECT, related_name="reviews", verbose_name="承租人"
    )
    year = models.PositiveSmallIntegerField("复查年度")
    reviewed_on = models.DateField("复查日期", db_index=True)
    result = models.CharField("复查结论", max_length=10, choices=ReviewResult.choices)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "承租人资格复查"
        verbose_name_plural = "承租人资格复查"
        constraints = [
            models.UniqueConstraint(fields=["tenancy", "year"], name="review_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.tenancy} {self.year}年复查"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.reviewed_on and self.year and self.reviewed_on.year != self.year:
            errors["reviewed_on"] = f"复查日期应在复查年度（{self.year}年）内"
        if self.tenancy_id and self.reviewed_on and self.reviewed_on < self.tenancy.lease_start:
            errors["reviewed_on"] = (
                f"复查日期不能早于租赁起始日期（{self.tenancy.lease_start}）：租约开始前无从复查"
            )
        if errors:
            raise ValidationError(errors)


class RentalSubsidy(LedgerModel):
    """A rental subsidy paid to a household (住房保障家庭租赁补贴)."""

    household_code = models.CharField("保障家庭编号", max_length=30, db_index=True)
    head_name = models.CharField("申请人姓名", max_length=32)
    id_number = models.CharField(
        "申请人身份证号（脱敏）", max_length=18, blank=True, help_text="如 3713**********1234"
    )
    month = models.DateField("补贴月份", help_text="填该月任一日期")
    paid_on = models.DateField("发放日期", db_index=True)
    amount = models.DecimalField("发放金额（元）", **MONEY)

    class Meta:
        verbose_name = "住房租赁补贴发放"
        verbose_name_plural = "住房租赁补贴发放"
        constraints = [
            models.UniqueConstraint(fields=["household_code", "month"], name="subsidy_once_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.head_name} {self.month:%Y-%m}"

    def derive(self) -> None:
        super().derive()
        if self.month:
            self.month = self.month.replace(day=1)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if msg := id_number_error(self.id_number):
            errors["id_number"] = msg
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = "发放金额应大于0"
        if errors:
            raise ValidationError(errors)


class TransferKind(models.TextChoices):
    LISTING = "listing", "上市交易"
    INHERITANCE = "inheritance", "继承"
    DIVORCE = "divorce", "离婚析产"


class AffordableTransaction(LedgerModel):
    """A 经济适用房 sold on the market (上市交易, land revenue collected) or transferred by
    inheritance or divorce."""

    code = models.CharField("业务编号", max_length=30, unique=True)
    kind = models.CharField("办理类型", max_length=12, choices=TransferKind.choices)
    address = models.CharField("房屋坐落", max_length=128)
    floor_area = models.DecimalField("建筑面积（平方米）", max_digits=8, decimal_places=2)
    handled_on = models.DateField("办理日期", db_index=True)
    land_revenue = models.DecimalField("收缴土地出让收益（元）", default=0, **MONEY)

    class Meta:
        verbose_name = "经济适用房交易与转移"
        verbose_name_plural = "经济适用房交易与转移"

    def __str__(self) -> str:
        return f"{self.code} {self.get_kind_display()}"

    def clean(self) -> None:
        if self.land_revenue and self.kind != TransferKind.LISTING:
            raise ValidationError(
                {"land_revenue": "只有上市交易收缴土地出让收益；继承、离婚析产不收缴"}
            )
