"""The shared hazard loop (隐患闭环): found → rectification notice → rectified → verified.

Any ledger that inspects something (gas company checks, flood-control patrols, site
inspections, self-built house surveys …) records what it finds as :class:`Hazard` rows
linked back to the inspection record. The hazard's own ``line`` says which business line
owns it; scope lets a user change the hazards of the lines they edit (see
``Ledger.line_field`` in :mod:`zhujian.core.scope`).

The status is derived from the step dates in :meth:`Hazard.save`, so it can never
disagree with them; every step is a save and so lands in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from zhujian.core import codes, files, lines
from zhujian.core.models import LedgerModel


class HazardStatus(models.TextChoices):
    FOUND = "found", "已发现"
    NOTIFIED = "notified", "已下达整改通知"
    RECTIFIED = "rectified", "已整改待验收"
    CLOSED = "closed", "已验收销号"


class HazardCategory(models.TextChoices):
    EQUIPMENT = "equipment", "设施设备"
    MANAGEMENT = "management", "安全管理"
    OPERATION = "operation", "违规操作"
    FIRE = "fire", "消防安全"
    STRUCTURE = "structure", "结构安全"
    DRAINAGE = "drainage", "排水防涝"
    MANHOLE = "manhole", "井盖设施"
    OTHER = "other", "其他"


class HazardQuerySet(models.QuerySet):
    def open(self) -> HazardQuerySet:
        """Not yet verified and closed."""
        return self.filter(verified_on__isnull=True)

    def overdue(self, as_of: dt.date | None = None) -> HazardQuerySet:
        """Past the notice deadline and not closed on ``as_of`` (default: today)."""
        return self.filter(overdue_q(as_of or dt.date.today()))

    def of_line(self, line: str) -> HazardQuerySet:
        return self.filter(line=line)


def overdue_q(as_of: dt.date) -> Q:
    """Hazards whose deadline passed before ``as_of`` and that were not closed by then."""
    return Q(notice_deadline__lt=as_of) & (Q(verified_on__isnull=True) | Q(verified_on__gt=as_of))


class Hazard(LedgerModel):
    code = models.CharField("隐患编号", max_length=30, blank=True, help_text="留空则自动编号")
    line = models.CharField("业务条线", max_length=20, choices=lines.CHOICES, db_index=True)
    # The inspection record that found it (any ledger); ``source`` stays readable when that
    # record is later deleted or when the hazard was entered by hand.
    source_type = models.ForeignKey(
        ContentType,
        models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        verbose_name="来源台账",
        related_name="+",
    )
    source_id = models.PositiveBigIntegerField("来源记录ID", null=True, blank=True, editable=False)
    source_record = GenericForeignKey("source_type", "source_id")
    source = models.CharField(
        "发现途径", max_length=200, help_text="如：2022年第一季度安全生产检查"
    )
    category = models.CharField("隐患类别", max_length=20, choices=HazardCategory.choices)
    description = models.TextField("隐患描述")
    location = models.CharField("隐患位置", max_length=200, blank=True)
    photo = files.EvidenceFileField(
        "现场照片", kinds=files.IMAGES, upload_to="hazards/photos/%Y/%m/", blank=True
    )
    found_on = models.DateField("发现日期", db_index=True)
    found_by = models.CharField("检查人员", max_length=100, blank=True)
    # One notice (整改通知书) usually covers every hazard one inspection found.
    notice_number = models.CharField("整改通知书编号", max_length=50, blank=True, db_index=True)
    notice_issued_on = models.DateField("通知下达日期", null=True, blank=True, db_index=True)
    notice_deadline = models.DateField("整改期限", null=True, blank=True, db_index=True)
    rectified_on = models.DateField("整改完成日期", null=True, blank=True, db_index=True)
    rectification_evidence = models.TextField("整改情况及佐证", blank=True)
    evidence_file = files.EvidenceFileField(
        "佐证材料", upload_to="hazards/evidence/%Y/%m/", blank=True
    )
    verified_on = models.DateField("验收销号日期", null=True, blank=True, db_index=True)
    verified_by = models.CharField("验收人", max_length=50, blank=True)
    status = models.CharField(
        "状态",
        max_length=16,
        choices=HazardStatus.choices,
        default=HazardStatus.FOUND,
        editable=False,
        db_index=True,
    )

    objects = HazardQuerySet.as_manager()

    township = codes.township_field()

    class Meta:
        verbose_name = "安全隐患"
        verbose_name_plural = "安全隐患"
        indexes = [models.Index(fields=["line", "found_on"])]
        constraints = [codes.unique_in_township("code", name="hazards_hazard_code_in_township")]

    def __str__(self) -> str:
        return f"{self.found_on} {self.get_line_display()}：{self.description[:30]}"

    def derive_status(self) -> str:
        if self.verified_on:
            return HazardStatus.CLOSED
        if self.rectified_on:
            return HazardStatus.RECTIFIED
        if self.notice_issued_on:
            return HazardStatus.NOTIFIED
        return HazardStatus.FOUND

    def is_overdue(self, as_of: dt.date | None = None) -> bool:
        as_of = as_of or dt.date.today()
        return bool(
            self.notice_deadline
            and self.notice_deadline < as_of
            and (self.verified_on is None or self.verified_on > as_of)
        )

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    def clean(self) -> None:
        errors: dict[str, str] = {}
        notice_fields = (self.notice_number, self.notice_issued_on, self.notice_deadline)
        if any(notice_fields) and not all(notice_fields):
            errors["notice_number"] = "下达整改通知须同时填写通知书编号、下达日期和整改期限"
        if self.found_on and self.notice_issued_on and self.notice_issued_on < self.found_on:
            errors["notice_issued_on"] = "整改通知下达日期不能早于隐患发现日期"
        if self.found_on and self.notice_deadline and self.notice_deadline <= self.found_on:
            errors["notice_deadline"] = "整改期限必须晚于隐患发现日期"
        if self.rectified_on:
            if not self.notice_issued_on:
                errors["rectified_on"] = "尚未下达整改通知，不能登记整改完成"
            elif self.rectified_on < self.notice_issued_on:
                errors["rectified_on"] = "整改完成日期不能早于整改通知下达日期"
        if self.verified_on:
            if not self.rectified_on:
                errors["verified_on"] = "尚未整改完成，不能验收销号"
            elif self.verified_on < self.rectified_on:
                errors["verified_on"] = "验收销号日期不能早于整改完成日期"
            if not (self.rectification_evidence.strip() or self.evidence_file):
                errors["rectification_evidence"] = "没有整改佐证材料，隐患不能销号"
            if not self.verified_by.strip():
                errors["verified_by"] = "验收销号须填写验收人"
        if errors:
            raise ValidationError(errors)

    derived_fields = ("status",)

    def derive(self) -> None:
        super().derive()
        self.status = self.derive_status()
        if not self.code:
            self.code = new_code(self.found_on)

    def link(self, record: models.Model) -> None:
        """Point this hazard at the inspection record that found it."""
        self.source_type = ContentType.objects.get_for_model(type(record))
        self.source_id = record.pk


def new_code(found_on: dt.date | None) -> str:
    """A unique hazard number such as ``YH20220315-4F2A9C``."""
    day = found_on or dt.date.today()
    return f"YH{day:%Y%m%d}-{uuid.uuid4().hex[:6].upper()}"
