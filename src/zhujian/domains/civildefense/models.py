"""（五）人防 ledgers.

- :class:`Patrol` — patrols of the 基本指挥所, the “三位一体” command platform and the
  vehicle command system (巡检, 维护); problems they find go into the hazard loop.
- :class:`SupervisionVisit` — supervision by higher authorities (省/市督导组); the problems
  they point out are hazards of the line, followed to rectification.
- :class:`DefenseWork` — a civil-defence work through 质量监督注册登记 → 施工 → 竣工验收,
  with its quality-supervision inspections (:class:`DefenseWorkInspection`).
- :class:`ShelterRequirement` — 结建: the shelter a new civil building must include, its
  required area from the settings' ratios, and a fee in lieu only on a lawful ground.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from zhujian.core.models import LedgerModel
from zhujian.core.stages import StagedModel, Stages
from zhujian.domains.civildefense import conf

D0 = Decimal(0)


class Facility(models.TextChoices):
    COMMAND_POST = "command_post", "基本指挥所"
    PLATFORM = "platform", "“三位一体”指挥平台"
    VEHICLE = "vehicle", "车载指挥系统"
    WORKS = "works", "单建人防工程"


class PatrolKind(models.TextChoices):
    SAFETY = "safety", "安全生产巡检排查"
    ROUTINE = "routine", "日常巡检"
    MAINTENANCE = "maintenance", "升级维护"


class Patrol(LedgerModel):
    """One patrol (巡检) or maintenance visit of a civil-defence facility."""

    facility = models.CharField("巡检对象", max_length=16, choices=Facility.choices)
    kind = models.CharField("巡检类别", max_length=16, choices=PatrolKind.choices)
    patrolled_on = models.DateField("巡检日期", db_index=True)
    inspectors = models.CharField("巡检人员", max_length=100)
    items = models.CharField(
        "巡检内容", max_length=200, blank=True, help_text="如：供配电、通风、防护密闭设备"
    )
    result = models.TextField("巡检情况", blank=True)

    class Meta:
        verbose_name = "人防设施巡检"
        verbose_name_plural = "人防设施巡检"
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "kind", "patrolled_on"], name="cd_patrol_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.patrolled_on} {self.get_facility_display()}{self.get_kind_display()}"

    def clean(self) -> None:
        if self.kind == PatrolKind.MAINTENANCE and self.facility in (
            Facility.COMMAND_POST,
            Facility.WORKS,
        ):
            raise ValidationError({"kind": "升级维护只适用于指挥平台和车载指挥系统"})


class VisitLevel(models.TextChoices):
    NATIONAL = "national", "国家"
    PROVINCE = "province", "省"
    CITY = "city", "市"


class SupervisionVisit(LedgerModel):
    """A supervision visit by a higher authority; the problems it points out are hazards."""

    code = models.CharField("督导编号", max_length=30, unique=True)
    level = models.CharField("督导层级", max_length=10, choices=VisitLevel.choices)
    team = models.CharField("督导组", max_length=100, help_text="如：省人防办专项督导组")
    topic = models.CharField(
        "督导事项", max_length=200, help_text="如：单建人防工程安全生产专项督导"
    )
    visited_on = models.DateField("督导日期", db_index=True)
    inspectors = models.CharField("督导组成员", max_length=200, blank=True)
    accompanied_by = models.CharField("陪同人员", max_length=100, blank=True)
    targets = models.CharField("检查对象", max_length=200, blank=True)
    findings = models.TextField("督导意见", blank=True)

    class Meta:
        verbose_name = "上级督导检查"
        verbose_name_plural = "上级督导检查"

    def __str__(self) -> str:
        return f"{self.visited_on} {self.team}"


class WorkKind(models.TextChoices):
    ATTACHED = "attached", "结建（防空地下室）"
    STANDALONE = "standalone", "单建人防工程"


class ProtectionClass(models.TextChoices):
    N5 = "n5", "核5级"
    N6 = "n6", "核6级"
    N6B = "n6b", "核6B级"
    C5 = "c5", "常5级"
    C6 = "c6", "常6级"


class WartimeUse(models.TextChoices):
    SHELTER = "shelter", "二等人员掩蔽所"
    STORE = "store", "物资库"
    TEAM = "team", "专业队工程"
    MEDICAL = "medical", "医疗救护工程"
    COMMAND = "command", "指挥工程"


class DefenseWork(StagedModel, LedgerModel):
    """A civil-defence work under quality supervision: 注册登记 → 施工 → 竣工验收."""

    stages = Stages(
        [
            ("registered", "质量监督注册登记", "registered_on"),
            ("started", "开工", "started_on"),
            ("accepted", "竣工验收", "accepted_on"),
        ]
    )

    code = models.CharField("质量监督注册号", max_length=30, unique=True)
    name = models.CharField("工程名称", max_length=200)
    kind = models.CharField("工程类别", max_length=12, choices=WorkKind.choices)
    builder = models.CharField("建设单位", max_length=100)
    contractor = models.CharField("施工单位", max_length=100, blank=True)
    address = models.CharField("工程地点", max_length=200, blank=True)
    area = models.DecimalField(
        "人防工程面积（平方米）",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(D0)],
    )
    protection_class = models.CharField(
        "抗力级别", max_length=4, choices=ProtectionClass.choices, blank=True
    )
    wartime_use = models.CharField(
        "战时用途", max_length=10, choices=WartimeUse.choices, blank=True
    )
    registered_on = models.DateField("注册登记日期", db_index=True)
    started_on = models.DateField("开工日期", null=True, blank=True)
    accepted_on = models.DateField("竣工验收日期", null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "人防工程"
        verbose_name_plural = "人防工程"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = self.stage_errors()
        if self.area is not None and self.area <= 0:
            errors.setdefault("area", "人防工程面积应大于0")
        if errors:
            raise ValidationError(errors)


class DefenseWorkInspection(LedgerModel):
    """A quality-supervision inspection of a civil-defence work while it is being built."""

    unit_from = "work"

    code = models.CharField("检查编号", max_length=30, unique=True)
    work = models.ForeignKey(
        DefenseWork, models.CASCADE, related_name="inspections", verbose_name="人防工程"
    )
    inspected_on = models.DateField("检查日期", db_index=True)
    inspectors = models.CharField("监督人员", max_length=100)
    content = models.CharField(
        "检查内容", max_length=200, help_text="如：防护密闭门框墙钢筋隐蔽验收"
    )
    result = models.TextField("检查结果", blank=True)

    class Meta:
        verbose_name = "人防工程质量监督检查"
        verbose_name_plural = "人防工程质量监督检查"

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.work}"

    def clean(self) -> None:
        if not self.work_id or not self.inspected_on:
            return
        work = self.work
        if self.inspected_on < work.registered_on:
            raise ValidationError(
                {"inspected_on": f"检查日期早于该工程质量监督注册登记日期（{work.registered_on}）"}
            )
        if work.accepted_on and self.inspected_on > work.accepted_on:
            raise ValidationError(
                {"inspected_on": f"该工程已于{work.accepted_on}竣工验收，之后不再开展在建质量监督"}
            )


class CityClass(models.TextChoices):
    KEY1 = "key1", "一类人防重点城市"
    KEY2 = "key2", "二类人防重点城市"
    KEY3 = "key3", "三类人防重点城市"
    COUNTY = "county", "县城（非重点城市）"
    TOWN = "town", "乡镇"


class BuildingUse(models.TextChoices):
    RESIDENTIAL = "residential", "住宅"
    PUBLIC = "public", "公共建筑"
    INDUSTRIAL = "industrial", "工业建筑"


class FeeGround(models.TextChoices):
    GEOLOGY = "geology", "因地质、地形等原因不能修建"
    PLAN_MET = "plan_met", "所在区域人防工程已满足规划要求"
    SMALL = "small", "应建面积不足1000平方米"


class ShelterRequirement(LedgerModel):
    """结建: the shelter (防空地下室) a new civil building must include, or its fee in lieu.

    ``required_area`` = new above-ground floor area × the ratio for the city class and
    building use (settings, see :mod:`zhujian.domains.civildefense.conf`). A fee in lieu
    (易地建设费) is lawful only on one of the three grounds of :class:`FeeGround`.
    """

    derived_fields = ("ratio", "required_area")

    code = models.CharField("审批编号", max_length=30, unique=True)
    project_name = models.CharField("建设项目名称", max_length=200)
    developer = models.CharField("建设单位", max_length=100)
    city_class = models.CharField("城市类别", max_length=10, choices=CityClass.choices)
    use = models.CharField("建筑用途", max_length=12, choices=BuildingUse.choices)
    above_ground_area = models.DecimalField(
        "新建地面建筑面积（平方米）",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(D0)],
    )
    ratio = models.DecimalField(
        "修建比例", max_digits=5, decimal_places=4, default=D0, editable=False
    )
    required_area = models.DecimalField(
        "应建防空地下室面积（平方米）",
        max_digits=12,
        decimal_places=2,
        default=D0,
        editable=False,
    )
    planned_area = models.DecimalField(
        "设计防空地下室面积（平方米）",
        max_digits=12,
        decimal_places=2,
        default=D0,
        validators=[MinValueValidator(D0)],
    )
    fee_ground = models.CharField(
        "易地建设理由", max_length=10, choices=FeeGround.choices, blank=True
    )
    fee_amount = models.DecimalField(
        "易地建设费（元）",
        max_digits=14,
        decimal_places=2,
        default=D0,
        validators=[MinValueValidator(D0)],
    )
    approved_on = models.DateField("审批日期", db_index=True)
    fee_paid_on = models.DateField("缴费日期", null=True, blank=True)
    work = models.ForeignKey(
        DefenseWork,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="requirements",
        verbose_name="对应人防工程",
    )

    class Meta:
        verbose_name = "结建防空地下室"
        verbose_name_plural = "结建防空地下室"

    def __str__(self) -> str:
        return self.project_name

    def derive(self) -> None:
        super().derive()
        self.ratio = conf.shelter_ratio(self.city_class or "", self.use or "")
        area = self.above_ground_area or D0
        self.required_area = (area * self.ratio).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        grounds = "、".join(str(label) for _, label in FeeGround.choices)
        fee_recorded = bool(self.fee_amount) or self.fee_paid_on is not None
        if fee_recorded and not self.fee_ground:
            errors["fee_ground"] = (
                f"只有以下法定情形才能缴纳易地建设费：{grounds}；请选择易地建设理由"
            )
        if self.fee_ground == FeeGround.SMALL and self.required_area >= conf.small_area():
            errors["fee_ground"] = (
                f"应建面积为{self.required_area}平方米，不少于{conf.small_area()}平方米，"
                "不能以“应建面积不足1000平方米”为由易地建设"
            )
        if self.fee_ground and not self.fee_amount:
            errors.setdefault("fee_amount", "已选择易地建设理由，请填写易地建设费金额")
        if not self.fee_ground and (self.planned_area or D0) < self.required_area:
            errors.setdefault(
                "planned_area",
                f"设计防空地下室面积（{self.planned_area}平方米）少于应建面积"
                f"（{self.required_area}平方米），且未按法定情形易地建设",
            )
        if self.fee_paid_on and self.approved_on and self.fee_paid_on < self.approved_on:
            errors.setdefault("fee_paid_on", "缴费日期不能早于审批日期")
        if errors:
            raise ValidationError(errors)
