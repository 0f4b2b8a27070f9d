"""The registers: filling stations, cylinders (一瓶一码) and real-name users.

LPG companies are the gas line's :class:`~zhujian.domains.urban.models.GasCompany`
records of kind 液化气站; this app adds what the LPG supervision needs below them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from zhujian.core import claims
from zhujian.core.crypto import BlindIndexField, EncryptedCharField
from zhujian.core.models import LedgerModel
from zhujian.domains.lpg import rules
from zhujian.domains.lpg.rules import RETIRED, CylinderStatus
from zhujian.domains.lpg.validators import (
    validate_cylinder_code,
    validate_masked_id,
    validate_station_code,
)
from zhujian.domains.urban.models import GasCompany, GasCompanyKind

LPG_COMPANY = {"kind": GasCompanyKind.LPG}
NOT_LPG = {"invalid": "请选择经营类别为“液化气站”的燃气企业"}


def _check_lpg_company(company: GasCompany | None, field: str = "company") -> None:
    if company is not None and company.kind != GasCompanyKind.LPG:
        raise ValidationError({field: "请选择经营类别为“液化气站”的燃气企业"})


class Station(LedgerModel):
    """A licensed filling station (充装站) of an LPG company. Its licence's expiry date is
    a claim: once recorded, changing it is a correction with a reason (a station with an
    expired licence cannot fill, 特种设备安全法 第四十九条)."""

    claim_fields = ("licence_expires_on",)

    code = models.CharField(
        "站点编号", max_length=20, unique=True, validators=[validate_station_code]
    )
    name = models.CharField("站点名称", max_length=100)
    company = models.ForeignKey(
        GasCompany,
        models.PROTECT,
        related_name="lpg_stations",
        verbose_name="所属企业",
        limit_choices_to=LPG_COMPANY,
        error_messages=NOT_LPG,
    )
    licence_number = models.CharField("气瓶充装许可证号", max_length=50, blank=True)
    licence_expires_on = models.DateField("许可证有效期至", null=True, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    manager = models.CharField("站长", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    active = models.BooleanField("在营", default=True)

    class Meta:
        verbose_name = "液化气充装站"
        verbose_name_plural = "液化气充装站"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        _check_lpg_company(self.company if self.company_id else None)


class CylinderSpec(models.TextChoices):
    YSP4_7 = "YSP4.7", "YSP4.7（2kg）"
    YSP12 = "YSP12", "YSP12（5kg）"
    YSP26_2 = "YSP26.2", "YSP26.2（10kg）"
    YSP35_5 = "YSP35.5", "YSP35.5（15kg）"
    YSP118 = "YSP118", "YSP118（50kg）"


class Cylinder(LedgerModel):
    """One steel LPG cylinder, known by the code on its label (一瓶一码).

    ``last_inspected_on`` is the last *passed* periodic inspection; it is written by the
    inspection records (:class:`CylinderInspection`), never typed. The scrap date and the
    next inspection date follow from it and the manufacture date (``rules``).
    """

    unit_from = "company"
    derived_fields = ("next_inspection_due", "scrap_due")
    # The dates its deadlines follow from: corrected only with a reason.
    claim_fields = ("manufactured_on", "registered_on", "scrapped_on")
    watched_fields = ("status",)

    code = models.CharField(
        "钢瓶编码", max_length=20, unique=True, validators=[validate_cylinder_code]
    )
    company = models.ForeignKey(
        GasCompany,
        models.PROTECT,
        related_name="lpg_cylinders",
        verbose_name="产权单位",
        limit_choices_to=LPG_COMPANY,
        error_messages=NOT_LPG,
    )
    spec = models.CharField("规格型号", max_length=10, choices=CylinderSpec.choices)
    maker = models.CharField("制造单位", max_length=100)
    serial_number = models.CharField("出厂编号", max_length=50, blank=True)
    manufactured_on = models.DateField("制造日期")
    registered_on = models.DateField("建档日期", db_index=True)
    status = models.CharField(
        "状态", max_length=12, choices=CylinderStatus.choices, default=CylinderStatus.IN_USE
    )
    scrapped_on = models.DateField(
        "报废（注销）日期", null=True, blank=True, help_text="状态为报废或注销时填写"
    )
    last_inspected_on = models.DateField("最近检验合格日期", null=True, blank=True, editable=False)
    next_inspection_due = models.DateField("下次检验日期", null=True, editable=False)
    scrap_due = models.DateField("报废期限", null=True, editable=False)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "液化气钢瓶"
        verbose_name_plural = "液化气钢瓶"

    def __str__(self) -> str:
        return self.code

    def derive(self) -> None:
        super().derive()
        if self.manufactured_on:
            self.scrap_due = rules.scrap_due(self.manufactured_on, self.last_inspected_on)
            self.next_inspection_due = rules.next_inspection_due(
                self.manufactured_on, self.last_inspected_on, self.spec
            )

    def clean(self) -> None:
        _check_lpg_company(self.company if self.company_id else None)
        errors: dict[str, str] = {}
        made = self.manufactured_on
        if made and self.registered_on and self.registered_on < made:
            errors["registered_on"] = "建档日期不能早于制造日期"
        if self.status in RETIRED and not self.scrapped_on:
            errors["scrapped_on"] = "状态为报废或注销时须填写报废（注销）日期"
        elif self.scrapped_on and self.status not in RETIRED:
            errors["status"] = "填写了报废（注销）日期，状态应为报废或注销"
        elif made and self.scrapped_on and self.scrapped_on < made:
            errors["scrapped_on"] = "报废（注销）日期不能早于制造日期"
        before = claims.stored(self, "status")
        if before in RETIRED and self.status not in RETIRED:
            errors["status"] = (
                f"钢瓶已{CylinderStatus(before).label}（{claims.stored(self, 'scrapped_on')}），"
                "报废或注销的钢瓶不得恢复使用（《特种设备安全法》第四十八条；TSG 23-2021），"
                f"不能改为“{CylinderStatus(self.status).label}”"
            )
        if errors:
            raise ValidationError(errors)


class CustomerKind(models.TextChoices):
    RESIDENT = "resident", "居民用户"
    RESTAURANT = "restaurant", "餐饮用户"
    BUSINESS = "business", "其他经营单位"
    INSTITUTION = "institution", "机关企事业单位"


class Customer(LedgerModel):
    """A real-name LPG user (实名制): a household or a business, with a masked ID only."""

    code = models.CharField("用户编号", max_length=20, unique=True)
    kind = models.CharField("用户类别", max_length=12, choices=CustomerKind.choices)
    name = models.CharField("户主姓名或单位名称", max_length=100)
    id_masked = models.CharField(
        "身份证号（脱敏）",
        max_length=18,
        blank=True,
        validators=[validate_masked_id],
        help_text="只登记脱敏后的号码，如 3713**********1234",
    )
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    phone = EncryptedCharField("联系电话", max_length=30, blank=True)
    # Staff look a user up by the whole number (lpg.views, among those they may see).
    phone_index = BlindIndexField(of="phone")
    address = models.CharField("用气地址", max_length=200)
    registered_on = models.DateField("登记日期", db_index=True)
    verified = models.BooleanField("已实名核验", default=False)
    has_alarm = models.BooleanField("已安装燃气泄漏报警器", default=False)
    active = models.BooleanField("在册", default=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "液化气用户"
        verbose_name_plural = "液化气用户"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.kind == CustomerKind.RESIDENT and not self.id_masked:
            raise ValidationError({"id_masked": "居民用户须登记户主身份证号（脱敏）"})
        if self.kind and self.kind != CustomerKind.RESIDENT and not self.credit_code:
            if not self.id_masked:
                raise ValidationError(
                    {"credit_code": "经营单位须登记统一社会信用代码或经办人身份证号（脱敏）"}
                )
