from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class ReportTemplate(models.Model):
    """A report's text with figure references; edited in the web UI, every version kept."""

    name = models.CharField("模板名称", max_length=100, unique=True)
    title = models.CharField(
        "标题", max_length=200, help_text="可含指标引用，如 {{ general.county_name }}"
    )
    body = models.TextField(
        "正文", help_text="每行一段；{{ 指标编号 }} 引用指标，{{ ?说明 }} 标记尚无来源的数"
    )
    is_default = models.BooleanField("默认模板", default=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        verbose_name="更新人",
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "报告模板"
        verbose_name_plural = "报告模板"
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name


class IssuedReport(models.Model):
    """A report as issued (印发): its files, every figure value and the record versions
    each value came from (``figures.lineage``). Never changed once written: reopening it
    serves the stored bytes; the drift view compares it with the records of today."""

    name = models.CharField("报告名称", max_length=100)
    title = models.CharField("标题", max_length=300)
    period_code = models.CharField("期间", max_length=32)
    unit = models.ForeignKey(
        "core.OrgUnit",
        models.PROTECT,
        null=True,
        blank=True,
        verbose_name="单位",
        related_name="+",
    )
    template = models.ForeignKey(
        ReportTemplate,
        models.SET_NULL,
        null=True,
        blank=True,
        verbose_name="报告模板",
        related_name="issued",
    )
    template_version = models.PositiveIntegerField("模板版本（修改记录编号）", null=True)
    doc_number = models.CharField("文号", max_length=100, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, verbose_name="印发人", related_name="+"
    )
    issued_at = models.DateTimeField("印发时间", auto_now_add=True)
    approved_only = models.BooleanField("仅计已审核数据", default=False)
    values = models.JSONField("指标值", default=dict)
    lineage = models.BinaryField("来源记录版本（压缩）")
    lineage_records = models.PositiveIntegerField("来源记录数", default=0)

    class Meta:
        verbose_name = "已印发报告"
        verbose_name_plural = "已印发报告"
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title}（{self.issued_at:%Y-%m-%d}印发）"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("已印发的报告不可修改")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class IssuedFile(models.Model):
    """One format of an issued report, byte for byte as issued."""

    report = models.ForeignKey(
        IssuedReport, models.CASCADE, related_name="files", verbose_name="已印发报告"
    )
    format = models.CharField("格式", max_length=8)
    content = models.BinaryField("文件内容")
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        verbose_name = "已印发报告文件"
        verbose_name_plural = "已印发报告文件"
        constraints = [
            models.UniqueConstraint(fields=["report", "format"], name="issued_file_once")
        ]

    def __str__(self) -> str:
        return f"{self.report_id}.{self.format}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("已印发的报告文件不可修改")
        super().save(*args, **kwargs)  # type: ignore[arg-type]
