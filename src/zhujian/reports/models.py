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
