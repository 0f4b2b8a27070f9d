"""Fire-protection acceptance and filing, prefab industrial-base applications, tenders."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from zhujian.core.models import LedgerModel
from zhujian.domains.construction import conf
from zhujian.domains.construction.models.enterprises import Enterprise, EnterpriseKind
from zhujian.domains.construction.models.projects import ConstructionProject


class FireKind(models.TextChoices):
    ACCEPTANCE = "acceptance", "特殊建设工程消防验收"
    FILING = "filing", "建设工程竣工验收消防备案"


class SpecialCategory(models.TextChoices):
    """The twelve kinds of 特殊建设工程 (建设工程消防设计审查验收管理暂行规定 第十四条)."""

    VENUE = "c01", "（一）大于2万㎡的体育场馆、会堂、展览馆、博物馆展示厅"
    TERMINAL = "c02", "（二）大于1.5万㎡的航站楼、客运车站候车室、客运码头候船厅"
    HOTEL = "c03", "（三）大于1万㎡的宾馆、饭店、商场、市场"
    THEATRE = "c04", "（四）大于2500㎡的影剧院、图书馆阅览室、门诊楼、教学楼等"
    CHILDREN = "c05", "（五）大于1000㎡的幼儿园、养老院、病房楼、中小学教学楼、集体宿舍等"
    ENTERTAINMENT = "c06", "（六）大于500㎡的歌舞厅、网吧、酒吧等娱乐场所"
    HIGH_RISE = "c07", "（七）一类高层住宅建筑"
    TRANSIT = "c08", "（八）城市轨道交通、隧道、大型发电和变配电工程"
    HAZMAT = "c09", "（九）易燃易爆危险物品的厂房、仓库、充装站、供应站、调压站"
    GOVERNMENT = "c10", "（十）国家机关办公楼、电力调度楼、电信楼、档案楼等"
    MIXED = "c11", "（十一）设有第一至六项所列情形的建设工程"
    LARGE_PUBLIC = "c12", "（十二）单体大于4万㎡或高度超过50米的其他公共建筑"


class FireResult(models.TextChoices):
    PASSED = "passed", "验收合格"
    FAILED = "failed", "验收不合格"
    FILED = "filed", "已备案"
    SPOT_FAILED = "spot_failed", "备案抽查不合格"


ACCEPTANCE_RESULTS = (FireResult.PASSED, FireResult.FAILED)
FILING_RESULTS = (FireResult.FILED, FireResult.SPOT_FAILED)


class FireAcceptance(LedgerModel):
    """A fire-protection acceptance (特殊建设工程) or completion filing (其他建设工程)."""

    unit_from = "project"

    number = models.CharField("受理编号", max_length=40, unique=True)
    kind = models.CharField("类别", max_length=10, choices=FireKind.choices)
    category = models.CharField(
        "特殊建设工程类别", max_length=3, choices=SpecialCategory.choices, blank=True
    )
    project = models.ForeignKey(
        ConstructionProject,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="fire_acceptances",
        verbose_name="建设工程项目",
    )
    project_name = models.CharField("工程名称", max_length=200)
    area = models.DecimalField(
        "建筑面积（平方米）", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    applied_on = models.DateField("受理日期")
    decided_on = models.DateField("验收（备案）日期", null=True, blank=True, db_index=True)
    result = models.CharField("结果", max_length=12, choices=FireResult.choices, blank=True)

    class Meta:
        verbose_name = "消防验收备案"
        verbose_name_plural = "消防验收备案"

    def __str__(self) -> str:
        return f"{self.number} {self.project_name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == FireKind.ACCEPTANCE and not self.category:
            errors["category"] = "特殊建设工程消防验收须选择特殊建设工程类别"
        if self.kind == FireKind.FILING and self.category:
            errors["category"] = "竣工验收消防备案的是特殊建设工程以外的工程，不填特殊建设工程类别"
        if (
            self.result
            and self.kind == FireKind.ACCEPTANCE
            and self.result not in ACCEPTANCE_RESULTS
        ):
            errors["result"] = "消防验收的结果应为“验收合格”或“验收不合格”"
        if self.result and self.kind == FireKind.FILING and self.result not in FILING_RESULTS:
            errors["result"] = "消防备案的结果应为“已备案”或“备案抽查不合格”"
        if self.decided_on and not self.result:
            errors.setdefault("result", "填写了验收（备案）日期，请填写结果")
        if self.result and not self.decided_on:
            errors.setdefault("decided_on", "填写了结果，请填写验收（备案）日期")
        if self.decided_on and self.applied_on and self.decided_on < self.applied_on:
            errors.setdefault("decided_on", "验收（备案）日期不能早于受理日期")
        if errors:
            raise ValidationError(errors)


class ApplicationResult(models.TextChoices):
    PENDING = "pending", "评审中"
    APPROVED = "approved", "已认定"
    REJECTED = "rejected", "未通过"


class PrefabApplication(LedgerModel):
    """A prefab component factory's application the bureau helped with (e.g. 省级新型建筑
    工业化产业基地)."""

    unit_from = "enterprise"

    enterprise = models.ForeignKey(
        Enterprise, models.CASCADE, related_name="prefab_applications", verbose_name="生产企业"
    )
    programme = models.CharField("申报项目", max_length=100, default="省级新型建筑工业化产业基地")
    products = models.CharField(
        "主要产品", max_length=200, blank=True, help_text="如：叠合板、预制楼梯"
    )
    capacity = models.DecimalField(
        "设计产能（立方米/年）",
        max_digits=12,
        decimal_places=0,
        default=0,
        validators=[MinValueValidator(0)],
    )
    applied_on = models.DateField("申报日期", db_index=True)
    result = models.CharField(
        "评审结果",
        max_length=10,
        choices=ApplicationResult.choices,
        default=ApplicationResult.PENDING,
    )
    decided_on = models.DateField("认定日期", null=True, blank=True)

    class Meta:
        verbose_name = "装配式产业基地申报"
        verbose_name_plural = "装配式产业基地申报"
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "programme", "applied_on"], name="prefab_application_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.programme}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.enterprise_id and self.enterprise.kind != EnterpriseKind.COMPONENTS:
            errors["enterprise"] = "只有装配式构配件生产企业可以申报产业基地"
        if self.result != ApplicationResult.PENDING and not self.decided_on:
            errors["decided_on"] = "已有评审结果，请填写认定日期"
        if self.decided_on and self.applied_on and self.decided_on < self.applied_on:
            errors["decided_on"] = "认定日期不能早于申报日期"
        if errors:
            raise ValidationError(errors)


class TenderCategory(models.TextChoices):
    WORKS = "works", "施工"
    SUPERVISION = "supervision", "监理"
    DESIGN = "design", "勘察设计"
    GOODS = "goods", "货物"
    SERVICES = "services", "服务"


class TenderMethod(models.TextChoices):
    OPEN = "open", "公开招标"
    INVITED = "invited", "邀请招标"


class Tender(LedgerModel):
    """A tender the bureau supervised, from the announcement to the award notice."""

    unit_from = "project"

    code = models.CharField("招标编号", max_length=40, unique=True)
    name = models.CharField("招标项目名称", max_length=200)
    project = models.ForeignKey(
        ConstructionProject,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="tenders",
        verbose_name="建设工程项目",
    )
    category = models.CharField("招标类别", max_length=12, choices=TenderCategory.choices)
    method = models.CharField("招标方式", max_length=8, choices=TenderMethod.choices)
    cost = models.DecimalField(
        "招标控制价（万元）",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text="最高投标限价，即涉及的工程造价",
    )
    announced_on = models.DateField("招标文件发出日期")
    opened_on = models.DateField("开标日期", null=True, blank=True)
    awarded_on = models.DateField("中标通知书发出日期", null=True, blank=True, db_index=True)
    winner = models.ForeignKey(
        Enterprise,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="tenders_won",
        verbose_name="中标单位",
    )
    winning_bid = models.DecimalField(
        "中标价（万元）", max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = "招标投标监督"
        verbose_name_plural = "招标投标监督"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        days = conf.tender_min_days()
        if self.opened_on and self.announced_on:
            if self.opened_on < self.announced_on + dt.timedelta(days=days):
                errors["opened_on"] = (
                    f"自招标文件发出之日起至投标截止（开标）不得少于{days}日"
                    "（《招标投标法》第二十四条）"
                )
        if self.awarded_on:
            if not self.opened_on:
                errors.setdefault("opened_on", "尚未开标，不能发出中标通知书")
            elif self.awarded_on < self.opened_on:
                errors.setdefault("awarded_on", "中标通知书发出日期不能早于开标日期")
            if not self.winner_id:
                errors.setdefault("winner", "已发出中标通知书，请填写中标单位")
            if self.winning_bid is None:
                errors.setdefault("winning_bid", "已发出中标通知书，请填写中标价")
        if self.winning_bid is not None and self.cost is not None and self.winning_bid > self.cost:
            errors.setdefault(
                "winning_bid",
                "中标价不能高于招标控制价（投标报价高于最高投标限价的应当否决，"
                "《招标投标法实施条例》第五十一条）",
            )
        if errors:
            raise ValidationError(errors)
