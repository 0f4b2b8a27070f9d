"""The year's task issued from above and split among townships (任务分解到乡镇)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from zhujian.core.models import LedgerModel
from zhujian.domains.rural.models.validators import township_error


class TownshipYearTask(LedgerModel):
    """A township's share of a year's task. ``org_unit`` is the township; the county's
    task is the sum over townships. One per township and year."""

    year = models.PositiveSmallIntegerField("年度")
    document_number = models.CharField("下达文号", max_length=64, blank=True)
    issued_on = models.DateField("下达日期")
    households = models.PositiveIntegerField("改造任务（户）")

    class Meta:
        abstract = True

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if msg := township_error(self.org_unit if self.org_unit_id else None):
            errors["org_unit"] = msg
        if self.year and self.issued_on and self.issued_on.year != self.year:
            errors["issued_on"] = "下达日期应在该年度内"
        if errors:
            raise ValidationError(errors)
