"""Construction projects (one project = one site, 工地), their single buildings (单体) and
the enterprises taking part besides the main contractor."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum

from zhujian.core.models import LedgerModel
from zhujian.core.stages import StagedModel, Stages
from zhujian.domains.construction.models.enterprises import Enterprise, EnterpriseKind


class AreaKind(models.TextChoices):
    COUNTY_TOWN = "county_town", "县城区域"
    TOWNSHIP = "township", "乡镇"


class ProjectUse(models.TextChoices):
    RESIDENTIAL = "residential", "住宅"
    PUBLIC = "public", "公共建筑"
    INDUSTRIAL = "industrial", "工业厂房"
    RESETTLEMENT = "resettlement", "安置住房"
    MUNICIPAL = "municipal", "市政配套"


class ConstructionProject(StagedModel, LedgerModel):
    """A building project under the bureau's supervision: 施工许可 → 开工 → 竣工验收.

    The project is also the site (工地): inspections, lifting machines, monitoring devices
    and, later, workers and pay sheets attach to it.
    """

    stages = Stages(
        [
            ("permitted", "施工许可", "permitted_on"),
            ("started", "开工", "started_on"),
            ("completed", "竣工验收", "completed_on"),
        ]
    )

    code = models.CharField("项目编号", max_length=30, unique=True)
    name = models.CharField("项目名称", max_length=200)
    permit_number = models.CharField("施工许可证号", max_length=40, blank=True)
    use = models.CharField("工程用途", max_length=14, choices=ProjectUse.choices)
    developer = models.CharField("建设单位", max_length=100)
    contractor = models.ForeignKey(
        Enterprise,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="contracted_projects",
        verbose_name="施工总承包单位",
    )
    address = models.CharField("工程地点", max_length=200, blank=True)
    area_kind = models.CharField("所在区域", max_length=12, choices=AreaKind.choices)
    floor_area = models.DecimalField(
        "总建筑面积（平方米）", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    cost = models.DecimalField(
        "工程造价（万元）",
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    permitted_on = models.DateField("施工许可日期", null=True, blank=True)
    started_on = models.DateField("开工日期", null=True, blank=True, db_index=True)
    completed_on = models.DateField("竣工验收日期", null=True, blank=True, db_index=True)
    realname_on = models.DateField(
        "纳入农民工工资实名制监管平台日期", null=True, blank=True, db_index=True
    )

    class Meta:
        verbose_name = "建设工程项目"
        verbose_name_plural = "建设工程项目"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = self.stage_errors()
        if self.permitted_on and not self.permit_number.strip():
            errors.setdefault("permit_number", "已办理施工许可的项目须填写施工许可证号")
        if self.started_on and not self.contractor_id:
            errors.setdefault("contractor", "已开工的项目须填写施工总承包单位")
        if self.floor_area is not None and self.floor_area <= 0:
            errors.setdefault("floor_area", "总建筑面积应大于0")
        if errors:
            raise ValidationError(errors)


def building_between(start: dt.date, end: dt.date, prefix: str = "") -> Q:
    """Under construction at some time in ``[start, end]`` (started, not completed before)."""
    return Q(**{f"{prefix}started_on__lte": end}) & (
        Q(**{f"{prefix}completed_on__isnull": True}) | Q(**{f"{prefix}completed_on__gte": start})
    )


class Structure(models.TextChoices):
    FRAME = "frame", "框架结构"
    SHEAR_WALL = "shear_wall", "剪力墙结构"
    FRAME_SHEAR = "frame_shear", "框架-剪力墙结构"
    MASONRY = "masonry", "砌体结构"
    STEEL = "steel", "钢结构"
    PREFAB_CONCRETE = "prefab_concrete", "装配式混凝土结构"
    PREFAB_STEEL = "prefab_steel", "装配式钢结构"


class Building(LedgerModel):
    """A single building (单体) of a project, e.g. 3#楼."""

    unit_from = "project"

    project = models.ForeignKey(
        ConstructionProject, models.CASCADE, related_name="buildings", verbose_name="项目"
    )
    name = models.CharField("单体名称", max_length=50, help_text="如：3#楼、地下车库")
    structure = models.CharField("结构类型", max_length=16, choices=Structure.choices)
    floors = models.PositiveSmallIntegerField("地上层数", default=1)
    area = models.DecimalField(
        "建筑面积（平方米）", max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    started_on = models.DateField("开工日期", null=True, blank=True, db_index=True)
    completed_on = models.DateField("竣工日期", null=True, blank=True)

    class Meta:
        verbose_name = "单体工程"
        verbose_name_plural = "单体工程"
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="building_name_in_project")
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.completed_on and not self.started_on:
            errors["started_on"] = "已竣工的单体须填写开工日期"
        elif self.completed_on and self.completed_on < self.started_on:
            errors["completed_on"] = "竣工日期不能早于开工日期"
        if self.project_id:
            project = self.project
            if self.started_on and (
                project.permitted_on is None or self.started_on < project.permitted_on
            ):
                errors.setdefault(
                    "started_on",
                    "单体开工日期不能早于项目施工许可日期（先取得施工许可证，后开工）"
                    if project.permitted_on
                    else "项目尚未办理施工许可，单体不能开工",
                )
            others = (
                Building.objects.filter(project_id=self.project_id)
                .exclude(pk=self.pk)
                .aggregate(s=Sum("area"))["s"]
                or 0
            )
            if self.area is not None and others + self.area > project.floor_area:
                errors.setdefault(
                    "area",
                    f"该项目各单体面积合计（{others + self.area}平方米）超过项目总建筑面积"
                    f"（{project.floor_area}平方米）",
                )
        if errors:
            raise ValidationError(errors)


class ParticipantRole(models.TextChoices):
    SPECIALTY = "specialty", "专业分包"
    LABOUR = "labour", "劳务分包"
    SUPERVISION = "supervision", "工程监理"
    SURVEY = "survey", "勘察"
    DESIGN = "design", "设计"


SUBCONTRACT_ROLES = (ParticipantRole.SPECIALTY, ParticipantRole.LABOUR)


class Participant(LedgerModel):
    """An enterprise taking part in a project besides its main contractor: subcontractors
    (the wage system's pay sheets come from them), the supervising engineer, designers."""

    unit_from = "project"

    project = models.ForeignKey(
        ConstructionProject, models.CASCADE, related_name="participants", verbose_name="项目"
    )
    enterprise = models.ForeignKey(
        Enterprise, models.PROTECT, related_name="participations", verbose_name="参建企业"
    )
    role = models.CharField("参建角色", max_length=12, choices=ParticipantRole.choices)
    scope = models.CharField(
        "承包范围", max_length=200, blank=True, help_text="如：主体劳务、钢结构"
    )
    contract_amount = models.DecimalField(
        "合同金额（万元）",
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    entered_on = models.DateField("进场日期")
    left_on = models.DateField("退场日期", null=True, blank=True)

    class Meta:
        verbose_name = "参建单位"
        verbose_name_plural = "参建单位"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "enterprise", "role"], name="participant_once_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.get_role_display()} {self.enterprise}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.left_on and self.entered_on and self.left_on < self.entered_on:
            errors["left_on"] = "退场日期不能早于进场日期"
        if (
            self.role in SUBCONTRACT_ROLES
            and self.project_id
            and self.enterprise_id
            and self.project.contractor_id == self.enterprise_id
        ):
            errors["enterprise"] = "施工总承包单位不能同时作为本项目的分包单位"
        if (
            self.role == ParticipantRole.SUPERVISION
            and self.enterprise_id
            and self.enterprise.kind != EnterpriseKind.SUPERVISION
        ):
            errors["role"] = "工程监理须由工程监理企业承担"
        if errors:
            raise ValidationError(errors)
