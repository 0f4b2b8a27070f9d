"""燃气: companies, monthly supply, inspections, enforcement cases and service records."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from zhujian.core.models import LedgerModel


class GasCompanyKind(models.TextChoices):
    PIPELINE = "pipeline", "管道天然气"
    LPG = "lpg", "液化气站"
    CNG = "cng", "加气站"


class GasCompany(LedgerModel):
    name = models.CharField("企业名称", max_length=100, unique=True)
    kind = models.CharField("经营类别", max_length=10, choices=GasCompanyKind.choices)
    licence_number = models.CharField("燃气经营许可证号", max_length=50, blank=True)
    licence_expires_on = models.DateField("许可证有效期至", null=True, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    contact = models.CharField("负责人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    active = models.BooleanField("在营", default=True)

    class Meta:
        verbose_name = "燃气企业"
        verbose_name_plural = "燃气企业"

    def __str__(self) -> str:
        return self.name


class GasSupply(LedgerModel):
    """Monthly supply of one company (an aggregate: no per-customer record exists)."""

    unit_from = "company"

    company = models.ForeignKey(
        GasCompany, models.CASCADE, related_name="supplies", verbose_name="燃气企业"
    )
    month = models.DateField("月份", db_index=True, help_text="填当月1日")
    natural_gas = models.DecimalField(
        "天然气供应量（万立方米）", max_digits=10, decimal_places=2, default=0
    )
    lpg_tonnes = models.DecimalField(
        "液化气销售量（吨）", max_digits=10, decimal_places=2, default=0
    )
    users = models.PositiveIntegerField("用户数", default=0)

    class Meta:
        verbose_name = "燃气月度供应"
        verbose_name_plural = "燃气月度供应"
        constraints = [
            models.UniqueConstraint(fields=["company", "month"], name="gas_supply_once_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.company} {self.month:%Y-%m}"

    def clean(self) -> None:
        if self.month and self.month.day != 1:
            raise ValidationError({"month": "月份请填当月1日"})


class GasInspectionKind(models.TextChoices):
    SAFETY = "safety", "安全生产检查"
    ALARM = "alarm", "餐饮场所燃气报警器专项督导"
    SPECIAL = "special", "专项检查"


class GasInspection(LedgerModel):
    """An inspection of a gas company (quarterly safety check) or a supervision visit."""

    code = models.CharField("检查编号", max_length=30, unique=True)
    kind = models.CharField("检查类别", max_length=10, choices=GasInspectionKind.choices)
    company = models.ForeignKey(
        GasCompany,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name="被检查企业",
    )
    target = models.CharField("检查对象", max_length=200, blank=True, help_text="非燃气企业时填写")
    inspected_on = models.DateField("检查日期", db_index=True)
    quarter = models.PositiveSmallIntegerField(
        "所属季度",
        null=True,
        blank=True,
        choices=[(q, f"第{'一二三四'[q - 1]}季度") for q in (1, 2, 3, 4)],
    )
    inspectors = models.CharField("检查人员", max_length=200)
    findings = models.TextField("检查情况", blank=True)

    class Meta:
        verbose_name = "燃气安全检查"
        verbose_name_plural = "燃气安全检查"

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.company or self.target}"

    def clean(self) -> None:
        if self.kind == GasInspectionKind.SAFETY and not self.company_id:
            raise ValidationError({"company": "安全生产检查须选择被检查的燃气企业"})
        if not self.company_id and not self.target.strip():
            raise ValidationError({"target": "请选择燃气企业或填写检查对象"})
        if self.quarter and self.inspected_on:
            if (self.inspected_on.month - 1) // 3 + 1 != self.quarter:
                raise ValidationError({"quarter": "检查日期不在所填季度内"})


class GasCase(LedgerModel):
    """An enforcement case, e.g. 液化气违法充装销售窝点 handed to the police."""

    number = models.CharField("案件编号", max_length=50, unique=True)
    opened_on = models.DateField("立案日期", db_index=True)
    violation = models.CharField("违法行为", max_length=200)
    party = models.CharField("当事人", max_length=100)
    address = models.CharField("地点", max_length=200, blank=True)
    seized_cylinders = models.PositiveIntegerField("查扣气瓶（个）", default=0)
    transferred_to = models.CharField("移交单位", max_length=100, blank=True)
    transferred_on = models.DateField("移交日期", null=True, blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    result = models.TextField("处理结果", blank=True)

    class Meta:
        verbose_name = "燃气执法案件"
        verbose_name_plural = "燃气执法案件"

    def __str__(self) -> str:
        return f"{self.number} {self.violation}"

    def clean(self) -> None:
        if self.transferred_on and not self.transferred_to.strip():
            raise ValidationError({"transferred_to": "填写了移交日期，请填写移交单位"})
        for name in ("transferred_on", "closed_on"):
            day = getattr(self, name)
            if day and self.opened_on and day < self.opened_on:
                raise ValidationError({name: "日期不能早于立案日期"})


class ServiceKind(models.TextChoices):
    WATER_CARD = "water_card", "上门充值水费卡"
    GAS_CARD = "gas_card", "上门充值燃气卡"
    LPG_DELIVERY = "lpg_delivery", "配送液化气"
    PURCHASE = "purchase", "协调液化气站购气"


SERVICE_UNITS = {
    ServiceKind.WATER_CARD: "张",
    ServiceKind.GAS_CARD: "张",
    ServiceKind.LPG_DELIVERY: "瓶",
    ServiceKind.PURCHASE: "吨",
}


class GasService(LedgerModel):
    """A service record: card top-ups at home, LPG bottles delivered, purchases coordinated."""

    kind = models.CharField("服务类别", max_length=16, choices=ServiceKind.choices)
    served_on = models.DateField("服务日期", db_index=True)
    recipient = models.CharField("服务对象", max_length=100)
    quantity = models.DecimalField(
        "数量", max_digits=10, decimal_places=2, help_text="张（充值卡）、瓶（液化气）或吨（购气）"
    )
    staff = models.CharField("经办人", max_length=50, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "燃气便民服务"
        verbose_name_plural = "燃气便民服务"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "served_on", "recipient"], name="gas_service_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.served_on} {self.get_kind_display()} {self.recipient}"

    def clean(self) -> None:
        if self.quantity is not None and self.quantity <= 0:
            raise ValidationError({"quantity": "数量应大于0"})
