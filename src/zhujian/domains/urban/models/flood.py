"""防汛: plans, inspections of low-lying points and manhole covers, drills, teams,
material reserves and the leaders' duty roster."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from zhujian.core.models import LedgerModel


class FloodPlan(LedgerModel):
    title = models.CharField("方案名称", max_length=200)
    number = models.CharField("文号", max_length=50, unique=True)
    year = models.PositiveIntegerField("年度")
    issued_on = models.DateField("印发日期", db_index=True)
    summary = models.TextField("主要内容", blank=True)

    class Meta:
        verbose_name = "防汛方案"
        verbose_name_plural = "防汛方案"

    def __str__(self) -> str:
        return self.title


class FloodPointKind(models.TextChoices):
    LOW_LYING = "low_lying", "低洼易涝点"
    MANHOLE = "manhole", "井盖"
    UNDERPASS = "underpass", "下穿通道/立交"
    CHANNEL = "channel", "排水沟渠"


class FloodInspection(LedgerModel):
    """A check of a flood-control key point; what it finds goes into the hazard loop."""

    code = models.CharField("检查编号", max_length=30, unique=True)
    inspected_on = models.DateField("检查日期", db_index=True)
    point_kind = models.CharField("检查部位", max_length=16, choices=FloodPointKind.choices)
    location = models.CharField("位置", max_length=200)
    inspectors = models.CharField("检查人员", max_length=200)
    problems_found = models.PositiveIntegerField("发现问题（处）", default=0)
    findings = models.TextField("检查情况", blank=True)

    class Meta:
        verbose_name = "防汛督导检查"
        verbose_name_plural = "防汛督导检查"

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.location}"


class FloodDrill(LedgerModel):
    held_on = models.DateField("演练日期", db_index=True)
    scenario = models.CharField("演练科目", max_length=200, help_text="如：模拟汛期洪涝、排水淤堵")
    location = models.CharField("地点", max_length=200)
    participants = models.PositiveIntegerField("参演专业人员（人）")
    equipment = models.PositiveIntegerField("投入设备（台套）", default=0)

    class Meta:
        verbose_name = "防汛应急演练"
        verbose_name_plural = "防汛应急演练"
        constraints = [
            models.UniqueConstraint(fields=["held_on", "scenario"], name="flood_drill_unique")
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.scenario}"

    def clean(self) -> None:
        if self.participants == 0:
            raise ValidationError({"participants": "参演人数应大于0"})


class EmergencyTeam(LedgerModel):
    name = models.CharField("队伍名称", max_length=100, unique=True)
    formed_on = models.DateField("组建日期", db_index=True)
    disbanded_on = models.DateField("撤销日期", null=True, blank=True)
    captain = models.CharField("队长", max_length=50)
    phone = models.CharField("联系电话", max_length=30, blank=True)

    class Meta:
        verbose_name = "防汛抢险队伍"
        verbose_name_plural = "防汛抢险队伍"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.disbanded_on and self.formed_on and self.disbanded_on < self.formed_on:
            raise ValidationError({"disbanded_on": "撤销日期不能早于组建日期"})


class EmergencyMember(LedgerModel):
    """A person drawn from a bureau unit into a team (org_unit: the unit they come from)."""

    team = models.ForeignKey(
        EmergencyTeam, models.CASCADE, related_name="members", verbose_name="队伍"
    )
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("联系电话", max_length=30)
    role = models.CharField("职责", max_length=50, blank=True)
    joined_on = models.DateField("入队日期", db_index=True)
    left_on = models.DateField("离队日期", null=True, blank=True)

    class Meta:
        verbose_name = "抢险队员"
        verbose_name_plural = "抢险队员"
        constraints = [
            models.UniqueConstraint(fields=["team", "name", "phone"], name="member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.name}"

    def clean(self) -> None:
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": "离队日期不能早于入队日期"})


class FloodMaterial(LedgerModel):
    name = models.CharField("物资名称", max_length=100)
    spec = models.CharField("规格", max_length=100, blank=True)
    quantity = models.DecimalField("数量", max_digits=10, decimal_places=1)
    unit = models.CharField("单位", max_length=10)
    depot = models.CharField("存放地点", max_length=100)
    checked_on = models.DateField("盘点日期", db_index=True)

    class Meta:
        verbose_name = "防汛物资储备"
        verbose_name_plural = "防汛物资储备"
        constraints = [
            models.UniqueConstraint(fields=["name", "spec", "depot"], name="material_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.depot}）"


class DutyShift(LedgerModel):
    """One day of the 带班 roster: a leader (副科级以上) and the staff on duty."""

    day = models.DateField("值班日期", unique=True)
    leader = models.CharField("带班领导", max_length=50)
    rank = models.CharField("职级", max_length=20, default="副科级")
    staff = models.CharField("值班人员", max_length=200)
    hours = models.PositiveSmallIntegerField("值守时长（小时）", default=24)
    log = models.TextField("值班记录", blank=True)

    class Meta:
        verbose_name = "防汛带班值班"
        verbose_name_plural = "防汛带班值班"

    def __str__(self) -> str:
        return f"{self.day} {self.leader}"

    def clean(self) -> None:
        if self.hours is not None and not 1 <= self.hours <= 24:
            raise ValidationError({"hours": "值守时长应在1～24小时之间"})
