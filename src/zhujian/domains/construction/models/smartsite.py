"""智慧工地: pilot batches and the monitoring devices on sites.

The device registry is what the HJ 212 receiver (a later feed) reads: each dust, noise or
weather monitor carries its MN (the device code in every packet), the factors it measures
as HJ 212 codes, and the concentration unit it actually sends (many send µg/m³ where the
standard says mg/m³).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from zhujian.core.models import LedgerModel
from zhujian.domains.construction.models.cranes import LiftingMachine
from zhujian.domains.construction.models.projects import ConstructionProject

# Factor code → (name, unit). HJ 212-2017 codes, plus local codes for tower-crane monitors.
FACTORS: dict[str, tuple[str, str]] = {
    "a34004": ("PM2.5", "mg/m³"),
    "a34002": ("PM10", "mg/m³"),
    "a34001": ("TSP", "mg/m³"),
    "a01001": ("温度", "℃"),
    "a01002": ("湿度", "%"),
    "a01006": ("气压", "kPa"),
    "a01007": ("风速", "m/s"),
    "a01008": ("风向", "°"),
    "LA": ("噪声", "dB(A)"),
    "tc_load": ("吊重", "t"),
    "tc_moment": ("力矩", "%"),
    "tc_radius": ("幅度", "m"),
    "tc_height": ("吊钩高度", "m"),
    "tc_slew": ("回转角度", "°"),
}
PM_SIZES = {"a34004": "2.5", "a34002": "10"}
DUST_FACTORS = {"a34004", "a34002", "a34001"}
_ALIASES = {name.lower(): code for code, (name, _unit) in FACTORS.items()} | {
    code.lower(): code for code in FACTORS
}
_SEPARATORS = re.compile(r"[、，,；;\s]+")
MN_RE = re.compile(r"^[0-9A-Za-z]{1,24}$")


def parse_factors(text: str) -> tuple[list[str], list[str]]:
    """(known codes, unknown words) in ``text`` (codes or names, any separator)."""
    known: list[str] = []
    unknown: list[str] = []
    for word in _SEPARATORS.split(text or ""):
        if not word:
            continue
        code = _ALIASES.get(word.lower())
        if code is None:
            unknown.append(word)
        elif code not in known:
            known.append(code)
    return known, unknown


class SmartSitePilot(LedgerModel):
    """A batch of the smart-site pilot: which sites qualify (area threshold) from when."""

    code = models.CharField("试点批次编号", max_length=30, unique=True)
    name = models.CharField("试点名称", max_length=100)
    document = models.CharField("依据文件", max_length=100, blank=True)
    launched_on = models.DateField("启动日期", db_index=True)
    min_floor_area = models.DecimalField(
        "试点工地建筑面积门槛（平方米）",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text="建筑施工面积达到此数的工地纳入试点",
    )

    class Meta:
        verbose_name = "智慧工地试点"
        verbose_name_plural = "智慧工地试点"

    def __str__(self) -> str:
        return self.name


class DeviceKind(models.TextChoices):
    DOME_CAMERA = "dome_camera", "球形摄像头"
    CAMERA = "camera", "枪式摄像头"
    DUST = "dust", "扬尘监测仪"
    NOISE = "noise", "噪声监测仪"
    WEATHER = "weather", "气象监测站"
    CRANE_MONITOR = "crane_monitor", "塔机运行监测"
    HOIST_MONITOR = "hoist_monitor", "升降机运行监测"


CAMERAS = (DeviceKind.DOME_CAMERA, DeviceKind.CAMERA)


class ConcentrationUnit(models.TextChoices):
    MG = "mg", "mg/m³"
    UG = "ug", "µg/m³"


class SiteDevice(LedgerModel):
    """A monitoring device on a site: what it is, what it measures, how it reports."""

    unit_from = "project"
    derived_fields = ("factors",)

    code = models.CharField("设备编号", max_length=30, unique=True)
    project = models.ForeignKey(
        ConstructionProject, models.CASCADE, related_name="devices", verbose_name="所在工地"
    )
    pilot = models.ForeignKey(
        SmartSitePilot,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name="试点批次",
    )
    kind = models.CharField("设备类别", max_length=14, choices=DeviceKind.choices)
    mn = models.CharField(
        "设备唯一标识（MN）", max_length=24, blank=True, help_text="HJ 212 数据包中的 MN 编码"
    )
    factors = models.CharField(
        "监测因子",
        max_length=200,
        blank=True,
        help_text="HJ 212 因子代码或名称，用逗号分隔，如：a34004,a34002,LA 或 PM2.5,PM10,噪声",
    )
    concentration_unit = models.CharField(
        "浓度上报单位",
        max_length=2,
        choices=ConcentrationUnit.choices,
        default=ConcentrationUnit.MG,
    )
    machine = models.ForeignKey(
        LiftingMachine,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="monitors",
        verbose_name="监测的起重机械",
    )
    vendor = models.CharField("设备厂家", max_length=100, blank=True)
    installed_on = models.DateField("接入日期", db_index=True)
    removed_on = models.DateField("拆除日期", null=True, blank=True)

    class Meta:
        verbose_name = "智慧工地监测设备"
        verbose_name_plural = "智慧工地监测设备"
        constraints = [
            models.UniqueConstraint(fields=["mn"], condition=~Q(mn=""), name="device_mn_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.get_kind_display()}"

    @property
    def factor_codes(self) -> list[str]:
        return [c for c in self.factors.split(",") if c]

    def get_factors_display(self) -> str:
        """The factors by their names (吊重、力矩), as pages show them: the codes are the
        devices' protocol, not what people read."""
        return "、".join(FACTORS[c][0] if c in FACTORS else c for c in self.factor_codes)

    def derive(self) -> None:
        super().derive()
        known, unknown = parse_factors(self.factors)
        if not unknown:
            self.factors = ",".join(known)
        self.mn = (self.mn or "").strip()

    def clean(self) -> None:
        errors: dict[str, str] = {}
        known, unknown = parse_factors(self.factors)
        if unknown:
            errors["factors"] = (
                f"无法识别的监测因子：{'、'.join(unknown)}（可用：{'、'.join(FACTORS)}）"
            )
        elif self.kind in CAMERAS and known:
            errors["factors"] = "摄像头不采集监测因子"
        elif self.kind == DeviceKind.DUST and not DUST_FACTORS & set(known):
            errors["factors"] = (
                "扬尘监测仪至少应监测 PM2.5（a34004）、PM10（a34002）或 TSP（a34001）之一"
            )
        elif self.kind == DeviceKind.NOISE and "LA" not in known:
            errors["factors"] = "噪声监测仪应监测噪声（LA）"
        if self.mn:
            if not MN_RE.match(self.mn):
                errors["mn"] = "MN 编码应为1—24位字母或数字"
            elif SiteDevice.objects.filter(mn=self.mn).exclude(pk=self.pk).exists():
                errors["mn"] = f"MN 编码 {self.mn} 已被其他设备使用"
        if self.removed_on and self.installed_on and self.removed_on < self.installed_on:
            errors["removed_on"] = "拆除日期不能早于接入日期"
        if self.machine_id and self.project_id and self.machine.project_id != self.project_id:
            errors["machine"] = "所监测的起重机械不在本工地"
        if self.pilot_id and self.project_id:
            pilot, project = self.pilot, self.project
            if project.floor_area < pilot.min_floor_area:
                errors["pilot"] = (
                    f"该工地建筑面积（{project.floor_area}平方米）低于试点门槛"
                    f"（{pilot.min_floor_area}平方米），不能纳入“{pilot.name}”"
                )
        if errors:
            raise ValidationError(errors)
