from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords


class Fact(models.Model):
    """A fixed fact the report may take from settings (a slogan, a duty rule), not records."""

    key = models.CharField("键", max_length=64, unique=True)
    value = models.CharField("值", max_length=255)
    note = models.CharField("说明", max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "固定事项"
        verbose_name_plural = "固定事项"

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"
