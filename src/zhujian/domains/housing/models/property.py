"""物业管理: property companies, residential communities (小区) and owners' committees."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from zhujian.core import codes
from zhujian.core.models import LedgerModel

# 统一社会信用代码: 18 characters of digits and capital letters except I, O, S, V, Z.
CREDIT_CODE = RegexValidator(
    re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"),
    "统一社会信用代码应为18位数字或大写字母",
)


class PropertyCompany(LedgerModel):
    """A property service company (物业服务企业). ``org_unit``: where it is registered."""

    credit_code = models.CharField("统一社会信用代码", max_length=18, validators=[CREDIT_CODE])
    name = models.CharField("企业名称", max_length=100)
    contact = models.CharField("联系人", max_length=32, blank=True)
    party_org_on = models.DateField(
        "成立党组织日期", null=True, blank=True, help_text="成立党支部（含联合党支部）的日期"
    )

    township = codes.township_field()

    class Meta:
        verbose_name = "物业服务企业"
        verbose_name_plural = "物业服务企业"
        constraints = [
            codes.unique_in_township(
                "credit_code", name="housing_propertycompany_credit_code_in_township"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ResidentialCommunity(LedgerModel):
    """A residential community (住宅小区): who manages it, and the hand-overs it went through.

    ``org_unit`` is the 社区 (or 街道/乡镇) where it lies.
    """

    code = models.CharField("小区编号", max_length=30)
    name = models.CharField("小区名称", max_length=100)
    address = models.CharField("地址", max_length=128, blank=True)
    buildings = models.PositiveIntegerField("楼栋数（栋）", default=0)
    households = models.PositiveIntegerField("户数（户）", default=0)
    built_year = models.PositiveSmallIntegerField("建成年份", null=True, blank=True)
    company = models.ForeignKey(
        PropertyCompany,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="communities",
        verbose_name="物业服务企业",
    )
    unmanaged_on = models.DateField(
        "列为无人管理小区日期", null=True, blank=True, help_text="摸排认定为无物业、无人管理的日期"
    )
    handed_over_on = models.DateField(
        "完成交接日期", null=True, blank=True, help_text="无人管理小区交由专业化物业服务的日期"
    )
    water_transferred_on = models.DateField("供水设施产权移交日期", null=True, blank=True)
    power_transferred_on = models.DateField("供电设施产权移交日期", null=True, blank=True)
    security_installed_on = models.DateField(
        "安装内保防护系统日期", null=True, blank=True, help_text="沂通码内保防护系统"
    )
    ebike_installed_on = models.DateField("建成电动车集中停放棚和充电桩日期", null=True, blank=True)

    township = codes.township_field()

    class Meta:
        verbose_name = "住宅小区"
        verbose_name_plural = "住宅小区"
        constraints = [
            codes.unique_in_township("code", name="housing_residentialcommunity_code_in_township")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.handed_over_on:
            if not self.unmanaged_on:
                errors["handed_over_on"] = (
                    "只有列为无人管理的小区才办理交接：请先填写列为无人管理小区日期"
                )
            elif self.handed_over_on < self.unmanaged_on:
                errors["handed_over_on"] = (
                    f"完成交接日期不能早于列为无人管理小区日期（{self.unmanaged_on}）"
                )
            if not self.company_id:
                errors["company"] = "完成交接、实行专业化服务的小区须填写物业服务企业"
        if errors:
            raise ValidationError(errors)


class OwnersCommittee(LedgerModel):
    """An owners' committee (业主委员会) of a residential community."""

    unit_from = "community"

    community = models.ForeignKey(
        ResidentialCommunity, models.PROTECT, related_name="committees", verbose_name="住宅小区"
    )
    established_on = models.DateField("成立日期")
    director = models.CharField("主任", max_length=32, blank=True)
    members = models.PositiveSmallIntegerField("委员人数", default=5)
    party_org_on = models.DateField("成立党组织日期", null=True, blank=True)
    dissolved_on = models.DateField("解散或换届日期", null=True, blank=True)

    class Meta:
        verbose_name = "业主委员会"
        verbose_name_plural = "业主委员会"
        constraints = [
            models.UniqueConstraint(
                fields=["community", "established_on"], name="owners_committee_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community}业主委员会"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.party_org_on and self.established_on and self.party_org_on < self.established_on:
            errors["party_org_on"] = "成立党组织日期不能早于业主委员会成立日期"
        if self.dissolved_on and self.established_on and self.dissolved_on <= self.established_on:
            errors["dissolved_on"] = "解散或换届日期应晚于成立日期"
        if self.members is not None and not 5 <= self.members <= 11:
            errors["members"] = (
                "业主委员会由5至11人单数组成（业主大会和业主委员会指导规则第三十一条）"
            )
        elif self.members and self.members % 2 == 0:
            errors["members"] = "业主委员会委员人数应为单数"
        if errors:
            raise ValidationError(errors)
