"""农村改厕: the household survey (户户到、大排查), public toilets, service stations, funds and
equipment."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from zhujian.core import codes
from zhujian.core.models import LedgerModel
from zhujian.domains.rural.models.validators import id_number_error, township_error, village_error


def _unit(obj: models.Model) -> Any:
    return obj.org_unit if obj.org_unit_id else None


class ToiletType(models.TextChoices):
    THREE_TANK = "three_tank", "三格化粪池式"
    DOUBLE_URN = "double_urn", "双瓮漏斗式"
    SEWER = "sewer", "完整上下水道水冲式"
    BIOGAS = "biogas", "三联通沼气池式"
    DRY = "dry", "传统旱厕"
    NONE = "none", "无厕所"


SANITARY_TYPES = (ToiletType.THREE_TANK, ToiletType.DOUBLE_URN, ToiletType.SEWER, ToiletType.BIOGAS)


class ProblemCategory(models.TextChoices):
    QUALITY = "quality", "建设质量问题"
    DAMAGE = "damage", "设施损坏"
    USE = "use", "使用不便"
    EMPTYING = "emptying", "粪污清掏不及时"
    IDLE = "idle", "闲置未使用"
    OTHER = "other", "其他问题"


class ToiletHousehold(LedgerModel):
    """One rural household in the toilet survey. ``org_unit`` is the village.

    Kept lean (a county has ~300k rows): the household code is the natural key, and only
    the masked ID number is stored.
    """

    household_code = models.CharField(
        "户编号", max_length=20, help_text="村12位区划代码 + 4位户序号"
    )
    head_name = models.CharField("户主姓名", max_length=32)
    id_number = models.CharField(
        "户主身份证号（脱敏）", max_length=18, blank=True, help_text="如 3713**********1234"
    )
    surveyed_on = models.DateField("排查日期", db_index=True)
    renovated = models.BooleanField("已改厕", default=False)
    toilet_type = models.CharField("厕所类型", max_length=16, choices=ToiletType.choices)
    problem_count = models.PositiveSmallIntegerField("问题数（处）", default=0)
    problem_category = models.CharField(
        "主要问题类别", max_length=16, choices=ProblemCategory.choices, blank=True
    )
    willing = models.BooleanField("有改造意愿", default=False)
    rectified_on = models.DateField("问题整改日期", null=True, blank=True)

    township = codes.township_field()

    class Meta:
        verbose_name = "农户厕所排查"
        verbose_name_plural = "农户厕所排查"
        # The dashboard's monthly trend of rectifications reads only the few households
        # with a date, from this index alone (issue 10); a model index, so that the
        # history table, which imports fill, does not get one too.
        indexes = [
            models.Index(
                fields=["rectified_on", "problem_count"], name="rural_toilet_rectified_idx"
            )
        ]
        constraints = [
            codes.unique_in_township(
                "household_code", name="rural_toilethousehold_household_code_in_township"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_code} {self.head_name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if msg := village_error(_unit(self)):
            errors["org_unit"] = msg
        if msg := id_number_error(self.id_number):
            errors["id_number"] = msg
        if self.renovated and self.toilet_type not in SANITARY_TYPES:
            errors["toilet_type"] = "已改厕户的厕所类型应为卫生厕所类型"
        if not self.renovated and self.problem_count:
            errors["problem_count"] = "未改厕户不登记户厕问题（问题只针对已改厕户）"
        if self.problem_count and not self.problem_category:
            errors["problem_category"] = "有问题时请选择主要问题类别"
        if not self.problem_count and self.problem_category:
            errors["problem_category"] = "问题数为0时不填问题类别"
        if self.renovated and self.willing:
            errors["willing"] = "改造意愿只针对未改厕户"
        if self.rectified_on:
            if not self.problem_count:
                errors["rectified_on"] = "没有问题的户厕无需填写整改日期"
            elif self.surveyed_on and self.rectified_on < self.surveyed_on:
                errors["rectified_on"] = "整改日期不能早于排查日期"
        if errors:
            raise ValidationError(errors)


class PublicToilet(LedgerModel):
    """农村公厕, with the problems the survey found. ``org_unit`` is the village."""

    code = models.CharField("公厕编号", max_length=24)
    name = models.CharField("名称", max_length=64)
    address = models.CharField("位置", max_length=128, blank=True)
    surveyed_on = models.DateField("排查日期")
    problem_count = models.PositiveSmallIntegerField("问题数（处）", default=0)
    problems = models.CharField("问题描述", max_length=200, blank=True)
    rectified_on = models.DateField("整改日期", null=True, blank=True)

    township = codes.township_field()

    class Meta:
        verbose_name = "农村公厕"
        verbose_name_plural = "农村公厕"
        constraints = [codes.unique_in_township("code", name="rural_publictoilet_code_in_township")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if msg := village_error(_unit(self)):
            errors["org_unit"] = msg
        if self.problem_count and not self.problems:
            errors["problems"] = "有问题时请描述问题"
        if self.rectified_on and self.surveyed_on and self.rectified_on < self.surveyed_on:
            errors["rectified_on"] = "整改日期不能早于排查日期"
        if errors:
            raise ValidationError(errors)


class StationStatus(models.TextChoices):
    NORMAL = "normal", "正常运行"
    PROBLEM = "problem", "存在问题"
    STOPPED = "stopped", "停止运行"


class ToiletStation(LedgerModel):
    """农村无害化厕所管护服务站. ``org_unit`` is the township it serves."""

    code = models.CharField("服务站编号", max_length=24)
    name = models.CharField("名称", max_length=64)
    surveyed_on = models.DateField("排查日期")
    status = models.CharField(
        "运行状态", max_length=16, choices=StationStatus.choices, default=StationStatus.NORMAL
    )
    problems = models.CharField("发现问题", max_length=200, blank=True)
    staff = models.PositiveSmallIntegerField("管护人员（人）", default=0)

    township = codes.township_field()

    class Meta:
        verbose_name = "厕所管护服务站"
        verbose_name_plural = "厕所管护服务站"
        constraints = [
            codes.unique_in_township("code", name="rural_toiletstation_code_in_township")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.status == StationStatus.PROBLEM and not self.problems:
            raise ValidationError({"problems": "状态为“存在问题”时请填写发现的问题"})


class FundSource(models.TextChoices):
    CENTRAL = "central", "中央财政资金"
    PROVINCE = "province", "省级财政资金"
    CITY = "city", "市级财政资金"
    COUNTY = "county", "县级财政资金"
    TOWNSHIP = "township", "乡镇自筹资金"


class ToiletFund(LedgerModel):
    """A fund for rural toilets: won by the department (e.g. 乡村振兴重大专项资金, then
    allocated to townships) or raised by a township itself (乡镇自筹). ``org_unit``: who holds
    it."""

    document_number = models.CharField("资金文号", max_length=64)
    name = models.CharField("资金名称", max_length=100)
    source = models.CharField("资金来源", max_length=16, choices=FundSource.choices)
    amount = models.DecimalField(
        "金额（万元）", max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    received_on = models.DateField("下达日期")
    allocation_planned = models.BooleanField("已制定分配方案", default=False)
    payment_requested_on = models.DateField("申请拨付日期", null=True, blank=True)

    township = codes.township_field()

    class Meta:
        verbose_name = "改厕资金"
        verbose_name_plural = "改厕资金"
        constraints = [
            codes.unique_in_township(
                "document_number", name="rural_toiletfund_document_number_in_township"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unit = self.org_unit if self.org_unit_id else None
        if self.source == FundSource.TOWNSHIP and (msg := township_error(unit)):
            raise ValidationError({"org_unit": f"乡镇自筹资金{msg}"})
        if (
            self.payment_requested_on
            and self.received_on
            and self.payment_requested_on < self.received_on
        ):
            raise ValidationError({"payment_requested_on": "申请拨付日期不能早于资金下达日期"})


class ToiletFundAllocation(LedgerModel):
    """A fund's share for one township. ``org_unit`` is the township."""

    fund = models.ForeignKey(
        ToiletFund, models.CASCADE, related_name="allocations", verbose_name="改厕资金"
    )
    amount = models.DecimalField(
        "分配金额（万元）", max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    households = models.PositiveIntegerField("改厕户数（分配依据）", default=0)
    paid_on = models.DateField("拨付日期", null=True, blank=True)

    class Meta:
        verbose_name = "改厕资金分配"
        verbose_name_plural = "改厕资金分配"
        constraints = [
            models.UniqueConstraint(fields=["fund", "org_unit"], name="rural_fund_alloc_unique")
        ]

    def __str__(self) -> str:
        return f"{self.fund} → {self.org_unit}"

    def clean(self) -> None:
        if msg := township_error(_unit(self)):
            raise ValidationError({"org_unit": msg})


class EquipmentKind(models.TextChoices):
    SUCTION_TRUCK = "suction_truck", "抽粪车"
    SMALL_TRUCK = "small_truck", "小型吸污车"
    OTHER = "other", "其他设备"


class EquipmentPurchase(LedgerModel):
    """An equipment purchase for toilet management: by the department (e.g. 抽粪车 by tender,
    then allocated to townships) or by a township for itself. ``org_unit``: the buyer."""

    contract_number = models.CharField("合同编号", max_length=64)
    kind = models.CharField("设备类别", max_length=16, choices=EquipmentKind.choices)
    volume = models.DecimalField(
        "容积（立方米）", max_digits=6, decimal_places=1, null=True, blank=True
    )
    units = models.PositiveIntegerField("数量（台）")
    investment = models.DecimalField(
        "投资（万元）", max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    by_tender = models.BooleanField("招投标采购", default=True)
    purchased_on = models.DateField("采购日期")
    supplier = models.CharField("供应商", max_length=100, blank=True)

    township = codes.township_field()

    class Meta:
        verbose_name = "改厕设备采购"
        verbose_name_plural = "改厕设备采购"
        constraints = [
            codes.unique_in_township(
                "contract_number", name="rural_equipmentpurchase_contract_number_in_township"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.units}台（{self.contract_number}）"

    def clean(self) -> None:
        if self.kind == EquipmentKind.SUCTION_TRUCK and not self.volume:
            raise ValidationError({"volume": "抽粪车须填写容积"})


class EquipmentAllocation(LedgerModel):
    """Units of a purchase handed to a township. ``org_unit`` is the township."""

    purchase = models.ForeignKey(
        EquipmentPurchase, models.CASCADE, related_name="allocations", verbose_name="设备采购"
    )
    units = models.PositiveIntegerField("分配数量（台）")
    allocated_on = models.DateField("分配日期")
    basis_households = models.PositiveIntegerField("改厕户数（分配依据）", default=0)

    class Meta:
        verbose_name = "改厕设备分配"
        verbose_name_plural = "改厕设备分配"
        constraints = [
            models.UniqueConstraint(
                fields=["purchase", "org_unit"], name="rural_equipment_alloc_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purchase} → {self.org_unit}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if msg := township_error(_unit(self)):
            errors["org_unit"] = msg
        if self.purchase_id and self.units:
            others = (
                EquipmentAllocation.objects.filter(purchase_id=self.purchase_id)
                .exclude(pk=self.pk)
                .aggregate(n=models.Sum("units"))["n"]
                or 0
            )
            if others + self.units > self.purchase.units:
                errors["units"] = f"分配总数超过采购数量（{self.purchase.units}台）"
        if errors:
            raise ValidationError(errors)
