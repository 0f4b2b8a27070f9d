"""Small works below the threshold, planning documents, historic towns, sewage stations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from zhujian.core import codes
from zhujian.core.models import LedgerModel
from zhujian.domains.rural.models.validators import township_error


class SmallWork(LedgerModel):
    """限额以下工程 with its 四有一证 check and video coverage. ``org_unit``: the township."""

    code = models.CharField("工程编号", max_length=24)
    name = models.CharField("工程名称", max_length=100)
    builder = models.CharField("施工单位", max_length=100, blank=True)
    investment = models.DecimalField("投资（万元）", max_digits=10, decimal_places=2)
    started_on = models.DateField("开工日期")
    completed_on = models.DateField("竣工日期", null=True, blank=True)
    checked_on = models.DateField("“四有一证”检查日期", null=True, blank=True)
    has_drawings = models.BooleanField("有施工图纸", default=False)
    has_contract = models.BooleanField("有施工合同", default=False)
    has_qualified_builder = models.BooleanField("有资质施工队伍", default=False)
    has_safety_measures = models.BooleanField("有安全防护措施", default=False)
    has_registration = models.BooleanField("有开工登记证", default=False)
    video_installed = models.BooleanField("已安装视频监控", default=False)

    township = codes.township_field()

    class Meta:
        verbose_name = "限额以下工程"
        verbose_name_plural = "限额以下工程"
        constraints = [codes.unique_in_township("code", name="rural_smallwork_code_in_township")]

    def __str__(self) -> str:
        return self.name

    @property
    def four_one_complete(self) -> bool:
        return all(
            (
                self.has_drawings,
                self.has_contract,
                self.has_qualified_builder,
                self.has_safety_measures,
                self.has_registration,
            )
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.completed_on and self.started_on and self.completed_on < self.started_on:
            errors["completed_on"] = "竣工日期不能早于开工日期"
        if self.checked_on and self.started_on and self.checked_on < self.started_on:
            errors["checked_on"] = "检查日期不能早于开工日期"
        if errors:
            raise ValidationError(errors)


class DocumentKind(models.TextChoices):
    URBANIZATION_PLAN = "urbanization_plan", "新型城镇化行动计划"
    TASK_DIVISION = "task_division", "新型城镇化重点任务分工"
    CLEAN_HEAT_SCHEME = "clean_heat_scheme", "清洁取暖实施方案"
    SEWAGE_PLAN = "sewage_plan", "建制镇生活污水治理专项规划"
    OTHER = "other", "其他"


class DocumentStatus(models.TextChoices):
    DRAFTING = "drafting", "编制中"
    CONSULTING = "consulting", "征求意见"
    SUBMITTED = "submitted", "已报县政府"
    ISSUED = "issued", "已印发"


class PlanningDocument(LedgerModel):
    """A planning document the department drafts. ``org_unit``: the department."""

    title = models.CharField("文件名称", max_length=100, unique=True)
    kind = models.CharField("类别", max_length=24, choices=DocumentKind.choices)
    status = models.CharField("状态", max_length=16, choices=DocumentStatus.choices)
    drafted_on = models.DateField("开始编制日期")
    consulted_on = models.DateField("征求意见日期", null=True, blank=True)
    submitted_on = models.DateField("报县政府日期", null=True, blank=True)
    issued_on = models.DateField("印发日期", null=True, blank=True)

    class Meta:
        verbose_name = "规划计划文件"
        verbose_name_plural = "规划计划文件"

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        needs = {
            DocumentStatus.CONSULTING: "consulted_on",
            DocumentStatus.SUBMITTED: "submitted_on",
            DocumentStatus.ISSUED: "issued_on",
        }
        field = needs.get(self.status)
        if field and not getattr(self, field):
            label = self._meta.get_field(field).verbose_name
            raise ValidationError({field: f"状态为“{self.get_status_display()}”时须填写{label}"})


class HistoricTownPlan(LedgerModel):
    """历史文化名镇保护规划. ``org_unit`` is the town."""

    title = models.CharField("规划名称", max_length=100, unique=True)
    town_name = models.CharField("名镇名称", max_length=32, editable=False)
    compiler = models.CharField("编制单位", max_length=100, blank=True)
    started_on = models.DateField("开始编制日期")
    reviewed_on = models.DateField("专家评审日期", null=True, blank=True)
    approved_on = models.DateField("县政府批复日期", null=True, blank=True)

    class Meta:
        verbose_name = "历史文化名镇保护规划"
        verbose_name_plural = "历史文化名镇保护规划"

    def __str__(self) -> str:
        return self.title

    derived_fields = ("town_name",)

    def derive(self) -> None:
        super().derive()
        if self.org_unit_id:
            self.town_name = self.org_unit.name.removesuffix("镇")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        unit = self.org_unit if self.org_unit_id else None
        if unit is not None and unit.kind != "town":
            errors["org_unit"] = "应选择一个镇"
        if self.reviewed_on and self.started_on and self.reviewed_on < self.started_on:
            errors["reviewed_on"] = "评审日期不能早于开始编制日期"
        if self.approved_on and not self.reviewed_on:
            errors["approved_on"] = "未经专家评审不能批复"
        elif self.approved_on and self.approved_on < self.reviewed_on:
            errors["approved_on"] = "批复日期不能早于评审日期"
        if errors:
            raise ValidationError(errors)


class SewageStatus(models.TextChoices):
    RUNNING = "running", "正常运行"
    FAULT = "fault", "故障停运"
    BUILDING = "building", "在建"


class SewageStation(LedgerModel):
    """乡镇驻地生活污水处理站. ``org_unit`` is the township."""

    code = models.CharField("站点编号", max_length=24)
    name = models.CharField("名称", max_length=64)
    capacity = models.PositiveIntegerField("设计规模（吨/日）")
    commissioned_on = models.DateField("投运日期", null=True, blank=True)
    status = models.CharField("运行状态", max_length=16, choices=SewageStatus.choices)
    operator = models.CharField("运维单位", max_length=100, blank=True)
    handed_over_on = models.DateField("移交国有资产运营公司日期", null=True, blank=True)

    township = codes.township_field()

    class Meta:
        verbose_name = "乡镇污水处理站"
        verbose_name_plural = "乡镇污水处理站"
        constraints = [
            codes.unique_in_township("code", name="rural_sewagestation_code_in_township")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if msg := township_error(self.org_unit if self.org_unit_id else None):
            errors["org_unit"] = msg
        if self.status == SewageStatus.RUNNING and not self.commissioned_on:
            errors["commissioned_on"] = "正常运行的站点须填写投运日期"
        if errors:
            raise ValidationError(errors)


class SewageOperation(LedgerModel):
    """A station's monthly operation record. ``org_unit`` is copied from the station."""

    unit_from = "station"

    station = models.ForeignKey(
        SewageStation, models.CASCADE, related_name="operations", verbose_name="污水处理站"
    )
    month = models.DateField("月份", help_text="该月1日")
    treated = models.DecimalField("处理水量（吨）", max_digits=10, decimal_places=1)
    running_days = models.PositiveSmallIntegerField("运行天数")
    effluent_ok = models.BooleanField("出水达标", default=True)
    note = models.CharField("情况说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "污水处理站运行记录"
        verbose_name_plural = "污水处理站运行记录"
        constraints = [
            models.UniqueConstraint(fields=["station", "month"], name="rural_sewage_op_unique")
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.month:%Y-%m}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.month and self.month.day != 1:
            errors["month"] = "月份请填写该月1日"
        if self.running_days is not None and self.running_days > 31:
            errors["running_days"] = "运行天数不能超过31天"
        if errors:
            raise ValidationError(errors)
