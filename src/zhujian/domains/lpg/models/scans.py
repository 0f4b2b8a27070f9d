"""Scan devices (station terminals, handheld scanners) and the scans they upload."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhujian.core import claims
from zhujian.core.models import LedgerModel
from zhujian.domains.lpg import rules
from zhujian.domains.lpg.models.registers import Customer, Cylinder, Station
from zhujian.domains.lpg.rules import Reason, ScanKind, ScanStatus
from zhujian.domains.lpg.validators import validate_cylinder_code, validate_station_code

TOKEN_PREFIX = "lpg_"


def hash_token(token: str) -> str:
    """Tokens are 256 random bits, so one SHA-256 is enough (no slow password hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


class DeviceKind(models.TextChoices):
    TERMINAL = "terminal", "站点终端"
    HANDHELD = "handheld", "手持扫码枪"
    MANUAL = "manual", "人工补录"


class ScanDevice(LedgerModel):
    """A scanner bound to one station. Its token is shown once when issued and kept only
    as a hash; revoking clears it (see :mod:`zhujian.domains.lpg.views`)."""

    unit_from = "station"

    code = models.CharField(
        "设备编号", max_length=20, unique=True, validators=[validate_station_code]
    )
    station = models.ForeignKey(
        Station, models.PROTECT, related_name="devices", verbose_name="所属站点"
    )
    name = models.CharField("设备名称", max_length=100)
    kind = models.CharField("设备类别", max_length=10, choices=DeviceKind.choices)
    active = models.BooleanField("启用", default=True)
    note = models.CharField("备注", max_length=200, blank=True)
    token_hash = models.CharField(
        "令牌摘要", max_length=64, null=True, blank=True, unique=True, editable=False
    )
    token_hint = models.CharField("令牌前缀", max_length=12, blank=True, editable=False)
    token_issued_at = models.DateTimeField("令牌签发时间", null=True, blank=True, editable=False)
    last_seen_at = models.DateTimeField("最近上传时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "扫码设备"
        verbose_name_plural = "扫码设备"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def has_token(self) -> bool:
        return bool(self.token_hash)

    def issue_token(self) -> str:
        """A new token (the previous one stops working); returns it in clear, once."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        self.token_hint = token[:10]
        self.token_issued_at = timezone.now()
        self.active = True
        return token

    def revoke(self) -> None:
        self.token_hash = None
        self.active = False


class ScanEvent(LedgerModel):
    """One scan of a cylinder code by a device, accepted or refused with its reason.

    Devices upload these through ``/api/lpg/scans/`` (:mod:`zhujian.domains.lpg.ingest`);
    staff may enter a paper record on the web (人工补录) under a device of kind 人工补录.
    Either way ``derive`` resolves the code and the user and applies the same rules.
    ``(device, client_event_id)`` is unique: an upload sent twice is recorded once.
    """

    unit_from = "station"
    # A scan is evidence: what was scanned, when, by which device and with what result
    # never changes once recorded (a refused scan cannot be edited into an accepted one).
    fixed_fields = (
        "device",
        "client_event_id",
        "kind",
        "code",
        "scanned_at",
        "operator",
        "weight_kg",
        "customer_code",
        "deliverer",
    )
    fixed_message = "扫码记录一经保存即为证据，不能修改；如记录有误，请补录一条新记录并在备注中说明"
    derived_fields = (
        "station",
        "cylinder",
        "customer",
        "scanned_on",
        "status",
        "reason",
        "message",
    )

    device = models.ForeignKey(
        ScanDevice, models.PROTECT, related_name="scans", verbose_name="扫码设备", db_index=False
    )
    client_event_id = models.CharField(
        "流水号", max_length=64, help_text="设备为每次扫码生成的唯一编号；人工补录时自行编号"
    )
    station = models.ForeignKey(
        Station,
        models.PROTECT,
        related_name="scans",
        verbose_name="站点",
        db_index=False,
        editable=False,
    )
    kind = models.CharField("扫码类别", max_length=10, choices=ScanKind.choices)
    code = models.CharField("钢瓶编码", max_length=20, validators=[validate_cylinder_code])
    cylinder = models.ForeignKey(
        Cylinder,
        models.PROTECT,
        null=True,
        related_name="scans",
        verbose_name="钢瓶",
        db_index=False,
        editable=False,
    )
    scanned_at = models.DateTimeField("扫码时间")
    scanned_on = models.DateField("扫码日期", db_index=True, editable=False)
    operator = models.CharField("操作人员", max_length=50, blank=True)
    weight_kg = models.DecimalField(
        "充装重量（kg）", max_digits=5, decimal_places=2, null=True, blank=True
    )
    customer_code = models.CharField("用户编号", max_length=20, blank=True)
    customer = models.ForeignKey(
        Customer,
        models.PROTECT,
        null=True,
        related_name="scans",
        verbose_name="用户",
        db_index=False,
        editable=False,
    )
    deliverer = models.CharField("配送人员", max_length=50, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    status = models.CharField(
        "结果", max_length=10, choices=ScanStatus.choices, editable=False, db_index=False
    )
    reason = models.CharField(
        "拒绝原因", max_length=20, choices=Reason.choices, blank=True, editable=False
    )
    message = models.CharField("说明", max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = "扫码记录"
        verbose_name_plural = "扫码记录"
        constraints = [
            models.UniqueConstraint(
                fields=["device", "client_event_id"], name="lpg_scan_once_per_device"
            )
        ]
        indexes = [
            models.Index(fields=["cylinder", "scanned_at"], name="lpg_scan_cylinder"),
            models.Index(
                fields=["station", "scanned_at"],
                name="lpg_scan_station_refused",
                condition=Q(status="refused"),
            ),
            models.Index(
                fields=["customer", "scanned_at"],
                name="lpg_scan_customer",
                condition=Q(customer__isnull=False),
            ),
            models.Index(
                fields=["code"], name="lpg_scan_unknown_code", condition=Q(cylinder__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"

    def derive(self) -> None:
        if self.device_id:
            self.station = self.device.station
        super().derive()
        if self.scanned_at:
            self.scanned_on = timezone.localdate(self.scanned_at)
        if not (self.station_id and self.code and self.kind and self.scanned_on):
            return
        if self.pk and claims.stored(self, "kind") is not None:
            return  # judged once, when it was recorded: the verdict is evidence too
        self.cylinder = Cylinder.objects.filter(code=self.code).first()
        self.customer = (
            Customer.objects.filter(code=self.customer_code).first() if self.customer_code else None
        )
        verdict = rules.check(
            self.kind,
            self.code,
            self.scanned_on,
            self.station.company_id,
            self.cylinder,
            self.customer,
            self.customer_code,
            weight_kg=self.weight_kg,
            licence_expires_on=self.station.licence_expires_on,
        )
        self.status, self.reason, self.message = verdict.status, verdict.reason, verdict.message

    def time_error(self) -> str | None:
        """Why the claimed scan time cannot be believed (entered on a page or the ledger
        API: bounded by when the record is made, the device's token, the cylinder's dates;
        device uploads are bounded by the upload delay too, in ``ingest``)."""
        if not self.scanned_at:
            return None
        cylinder = self.cylinder if self.cylinder_id else None
        device = self.device if self.device_id else None
        return rules.claimed_time_error(
            self.scanned_at,
            received=self.created_at or timezone.now(),
            token_issued_at=device.token_issued_at if device is not None else None,
            cylinder_code=self.code,
            manufactured_on=cylinder.manufactured_on if cylinder else None,
            registered_on=cylinder.registered_on if cylinder else None,
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == ScanKind.FILL:
            if self.weight_kg is None:
                errors["weight_kg"] = "充装记录须填写充装重量"
            elif self.weight_kg <= 0:
                errors["weight_kg"] = "充装重量应大于0"
            if not self.operator.strip():
                errors["operator"] = "充装记录须填写操作人员（充装工）"
        if self.kind == ScanKind.DELIVER:
            if not self.customer_code:
                errors["customer_code"] = "配送记录须填写用户编号"
            if not self.deliverer.strip():
                errors["deliverer"] = "配送记录须填写配送人员"
        if not self.pk and (problem := self.time_error()):
            errors["scanned_at"] = problem
        if errors:
            raise ValidationError(errors)
