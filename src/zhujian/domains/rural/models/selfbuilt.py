"""经营性自建房安全专项整治: each building through 排查 → 初判 → 鉴定 → 整治."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from zhujian.core import codes
from zhujian.core.models import LedgerModel
from zhujian.core.stages import StagedModel, Stages


class Structure(models.TextChoices):
    BRICK_CONCRETE = "brick_concrete", "砖混结构"
    FRAME = "frame", "框架结构"
    BRICK_WOOD = "brick_wood", "砖木结构"
    STEEL = "steel", "钢结构"
    OTHER = "other", "其他结构"


class BuildingUse(models.TextChoices):
    SHOP = "shop", "商铺"
    RESTAURANT = "restaurant", "餐饮"
    LODGING = "lodging", "住宿"
    WORKSHOP = "workshop", "生产加工"
    WAREHOUSE = "warehouse", "仓储"
    EDUCATION = "education", "教育培训"
    OTHER = "other", "其他经营"


class AppraisalGrade(models.TextChoices):
    A = "A", "A级"
    B = "B", "B级"
    C = "C", "C级"
    D = "D", "D级"


class SelfBuiltHouse(StagedModel, LedgerModel):
    """A commercial self-built building (经营性自建房). ``org_unit`` is the village/community."""

    stages = Stages(
        [
            ("surveyed", "排查", "surveyed_on"),
            ("judged", "初判", "judged_on"),
            ("appraised", "鉴定", "appraised_on"),
            ("rectified", "整治", "rectified_on"),
        ]
    )

    code = models.CharField("房屋编号", max_length=24)
    address = models.CharField("地址", max_length=128)
    owner = models.CharField("产权人", max_length=32, blank=True)
    floors = models.PositiveSmallIntegerField("层数")
    structure = models.CharField("结构类型", max_length=16, choices=Structure.choices)
    use = models.CharField("经营用途", max_length=16, choices=BuildingUse.choices)
    surveyed_on = models.DateField("排查日期", db_index=True)
    judged_on = models.DateField("初判日期", null=True, blank=True)
    hazard = models.BooleanField("初判存在安全隐患", default=False)
    appraised_on = models.DateField("鉴定日期", null=True, blank=True)
    grade = models.CharField("鉴定等级", max_length=1, choices=AppraisalGrade.choices, blank=True)
    rectified_on = models.DateField("整治完成日期", null=True, blank=True)
    measure = models.CharField("整治措施", max_length=100, blank=True)

    township = codes.township_field()

    class Meta:
        verbose_name = "经营性自建房"
        verbose_name_plural = "经营性自建房"
        constraints = [
            codes.unique_in_township("code", name="rural_selfbuilthouse_code_in_township")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.address}"

    def clean(self) -> None:
        errors = self.stage_errors()
        if self.hazard and not self.judged_on:
            errors.setdefault("judged_on", "初判存在安全隐患时须填写初判日期")
        if self.appraised_on and not self.hazard:
            errors.setdefault("appraised_on", "只有初判存在安全隐患的房屋才进入鉴定")
        if self.appraised_on and not self.grade:
            errors.setdefault("grade", "已鉴定的房屋须填写鉴定等级")
        if self.grade and not self.appraised_on:
            errors.setdefault("appraised_on", "填写鉴定等级时须填写鉴定日期")
        if self.rectified_on and not self.measure:
            errors.setdefault("measure", "已完成整治的房屋须填写整治措施")
        if errors:
            raise ValidationError(errors)
