"""HJ 212 site monitoring: how each device talks (a ledger), and what the receiver stores.

The device itself (MN, site, factors, concentration unit) is construction's
:class:`~zhujian.domains.construction.models.SiteDevice`; :class:`DeviceProtocol` adds
what only the receiver needs (password, CRC variant, per-factor units). Readings, raw
packets, refusals, last-seen times and alarms are written by ``zhujian hj212 serve`` in
batches: they are feed data, not ledgers (no audit trail per row), and every page that
shows them reaches them through a site the user's scope allows.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from zhujian.core.crypto import EncryptedCharField
from zhujian.core.models import LedgerModel
from zhujian.domains.construction.models import ConstructionProject, SiteDevice
from zhujian.domains.construction.models.smartsite import (
    DUST_FACTORS,
    FACTORS,
    ConcentrationUnit,
)
from zhujian.hazards.models import Hazard

# HJ 212 factor code → Reading column (values stored in mg/m³, dB(A), ℃, %, kPa, m/s, °).
FACTOR_COLUMNS: dict[str, str] = {
    "a34004": "pm25",
    "a34002": "pm10",
    "a34001": "tsp",
    "LA": "noise",
    "a01001": "temperature",
    "a01002": "humidity",
    "a01006": "pressure",
    "a01007": "wind_speed",
    "a01008": "wind_direction",
}
LIMITED_FACTORS = ("a34002", "a34004", "a34001", "LA")
#: A reading's time lies in this range or the database refuses it: the receiver refuses
#: far narrower times before its ack, and this holds for any other writer too (on
#: PostgreSQL a time before year 1 would be stored and could then never be read back).
READING_TIME_MIN = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
READING_TIME_MAX = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


class CrcVariant(models.TextChoices):
    HJ212 = "hj212", "HJ 212-2017 附录A算法"
    MODBUS = "modbus", "CRC-16/MODBUS（非标准）"


def parse_units(text: str) -> tuple[dict[str, str], list[str]]:
    """``a34004=ug,a34002=mg`` → ({factor: unit}, problems)."""
    units: dict[str, str] = {}
    problems: list[str] = []
    for item in (text or "").replace("，", ",").split(","):
        item = item.strip()
        if not item:
            continue
        code, _, unit = item.partition("=")
        code, unit = code.strip(), unit.strip().lower()
        if code not in DUST_FACTORS:
            problems.append(
                f"“{item}”：只有颗粒物因子（{'、'.join(sorted(DUST_FACTORS))}）可设单位"
            )
        elif unit not in ConcentrationUnit.values:
            problems.append(f"“{item}”：单位应为 mg 或 ug")
        else:
            units[code] = unit
    return units, problems


def password_problem(password: str) -> str:
    """Why ``password`` is too weak for a device on the internet ('' if it is not).

    HJ 212-2017 gives PW six characters (C6); many devices take no more. Six characters
    that mix letters and digits are 62^6 ≈ 5.7×10^10 passwords, and the receiver lets
    an MN be guessed at most ``ZHUJIAN_HJ212_AUTH_FAILURES_PER_MN`` times a window
    (5 per 10 minutes by default): millions of years. Six digits alone would be 10^6."""
    if not password.isascii() or not password.isalnum():
        return "访问密码应为英文字母或数字"
    if len(password) < 6:
        return "访问密码至少6位（HJ 212-2017 规定 PW 为6位字符）"
    if password.isdigit() or password.isalpha():
        return "访问密码须同时包含字母和数字（纯数字密码可被在线猜测）"
    if len(set(password.lower())) < 4:
        return "访问密码重复字符过多，请使用至少4个不同字符"
    return ""


class DeviceProtocol(LedgerModel):
    """接入参数: what the receiver checks for one device's packets."""

    unit_from = "device"

    device = models.OneToOneField(
        SiteDevice, models.CASCADE, related_name="protocol", verbose_name="监测设备"
    )
    password = models.CharField(
        "访问密码（PW）",
        max_length=20,
        help_text="设备数据包中的 PW 字段，不符的数据包被拒收；至少6位，须同时含字母和数字，"
        "各设备互不相同",
    )
    crc = models.CharField(
        "CRC 算法",
        max_length=8,
        choices=CrcVariant.choices,
        default=CrcVariant.HJ212,
        help_text="仅当设备确实按 CRC-16/MODBUS 计算校验码时才选择非标准算法",
    )
    factor_units = models.CharField(
        "分因子浓度单位",
        max_length=100,
        blank=True,
        help_text="与设备“浓度上报单位”不同的因子，如：a34004=ug,a34002=mg",
    )
    enabled = models.BooleanField("接收数据", default=True)

    class Meta:
        verbose_name = "监测设备接入参数"
        verbose_name_plural = "监测设备接入参数"

    def __str__(self) -> str:
        return f"{self.device.code} 接入参数"

    def unit_of(self, factor: str) -> str:
        units, _ = parse_units(self.factor_units)
        return units.get(factor, self.device.concentration_unit)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.device_id and not self.device.mn:
            errors["device"] = "该设备没有登记 MN 编码，不能接入 HJ 212 数据"
        _, problems = parse_units(self.factor_units)
        if problems:
            errors["factor_units"] = "；".join(problems)
        if self.password:
            problem = password_problem(self.password)
            if problem:
                errors["password"] = problem
        if errors:
            raise ValidationError(errors)


class DataKind(models.TextChoices):
    REALTIME = "2011", "实时数据"
    MINUTE = "2051", "分钟数据"
    HOURLY = "2061", "小时数据"


class Reading(models.Model):
    """One data packet's values (real-time ``Rtd``, minute/hourly ``Avg``), normalised to
    the standard's units (concentrations in mg/m³ whatever the device sends)."""

    device = models.ForeignKey(
        SiteDevice, models.CASCADE, related_name="+", db_index=False, verbose_name="监测设备"
    )
    project = models.ForeignKey(
        ConstructionProject, models.CASCADE, related_name="+", db_index=False, verbose_name="工地"
    )
    cn = models.CharField("数据类型", max_length=4, choices=DataKind.choices)
    data_time = models.DateTimeField("数据时间")
    received_at = models.DateTimeField("接收时间")
    pm25 = models.FloatField("PM2.5（mg/m³）", null=True)
    pm10 = models.FloatField("PM10（mg/m³）", null=True)
    tsp = models.FloatField("TSP（mg/m³）", null=True)
    noise = models.FloatField("噪声（dB(A)）", null=True)
    temperature = models.FloatField("温度（℃）", null=True)
    humidity = models.FloatField("湿度（%）", null=True)
    pressure = models.FloatField("气压（kPa）", null=True)
    wind_speed = models.FloatField("风速（m/s）", null=True)
    wind_direction = models.FloatField("风向（°）", null=True)
    flags = models.CharField("非正常数据标记", max_length=100, blank=True)

    class Meta:
        verbose_name = "监测数据"
        verbose_name_plural = "监测数据"
        indexes = [
            models.Index(fields=["project", "cn", "data_time"], name="reading_site_time"),
        ]
        constraints = [
            # A re-sent packet (same device, data type and DataTime) is one reading: the
            # writer inserts with ON CONFLICT DO NOTHING. (Its index serves the per-device
            # queries the former plain index did.)
            models.UniqueConstraint(fields=["device", "cn", "data_time"], name="reading_once"),
            models.CheckConstraint(
                condition=Q(data_time__gte=READING_TIME_MIN, data_time__lt=READING_TIME_MAX)
                & Q(received_at__gte=READING_TIME_MIN, received_at__lt=READING_TIME_MAX),
                name="reading_times_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.cn} {self.data_time}"


class RawPacket(models.Model):
    """A packet exactly as received (accepted or refused), kept for disputes for
    ``ZHUJIAN_HJ212_RAW_DAYS`` days."""

    received_at = models.DateTimeField("接收时间", db_index=True)
    mn = models.CharField("MN", max_length=24, blank=True)
    device = models.ForeignKey(
        SiteDevice, models.SET_NULL, null=True, related_name="+", db_index=False
    )
    peer = models.CharField("来源地址", max_length=64, blank=True)
    accepted = models.BooleanField("已接收")
    reason = models.CharField("拒收原因", max_length=12, blank=True)
    text = models.TextField("原始报文")

    class Meta:
        verbose_name = "原始报文"
        verbose_name_plural = "原始报文"
        indexes = [models.Index(fields=["device", "received_at"], name="raw_device_time")]

    def __str__(self) -> str:
        return f"{self.received_at} {self.mn}"


class Rejection(models.Model):
    """Refused packets counted per MN (device, when registered) and reason."""

    mn = models.CharField("MN", max_length=24, blank=True)
    device = models.ForeignKey(SiteDevice, models.CASCADE, null=True, blank=True, related_name="+")
    reason = models.CharField("拒收原因", max_length=12)
    count = models.PositiveBigIntegerField("次数", default=0)
    last_at = models.DateTimeField("最近一次")
    last_detail = models.CharField("最近一次说明", max_length=100, blank=True)
    last_peer = models.CharField("最近来源地址", max_length=64, blank=True)

    class Meta:
        verbose_name = "拒收报文统计"
        verbose_name_plural = "拒收报文统计"
        constraints = [models.UniqueConstraint(fields=["mn", "reason"], name="rejection_mn_reason")]

    def __str__(self) -> str:
        return f"{self.mn} {self.reason} ×{self.count}"


class DeviceSeen(models.Model):
    """When each device last sent an accepted packet (offline = silent too long)."""

    device = models.OneToOneField(
        SiteDevice, models.CASCADE, primary_key=True, related_name="hj212_seen"
    )
    last_seen_at = models.DateTimeField("最近通信时间", db_index=True)
    peer = models.CharField("来源地址", max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.device_id} {self.last_seen_at}"


class AlarmKind(models.TextChoices):
    OVER_LIMIT = "over", "超标"
    OFFLINE = "offline", "离线"
    PASSWORD_GUESSING = "auth", "密码猜测"


class Alarm(models.Model):
    """An over-limit spell of one factor, or an offline spell, of one device."""

    device = models.ForeignKey(
        SiteDevice, models.CASCADE, related_name="hj212_alarms", verbose_name="监测设备"
    )
    project = models.ForeignKey(
        ConstructionProject, models.CASCADE, related_name="+", verbose_name="工地"
    )
    kind = models.CharField("报警类型", max_length=8, choices=AlarmKind.choices)
    factor = models.CharField("监测因子", max_length=10, blank=True)
    limit = models.FloatField("限值", null=True, blank=True)
    peak = models.FloatField("最高值", null=True, blank=True)
    readings = models.PositiveIntegerField("超标读数", default=0)
    basis = models.CharField(
        "限值依据", max_length=100, blank=True, help_text="限值出自的标准及其平均时段"
    )
    started_at = models.DateTimeField("开始时间")
    cleared_at = models.DateTimeField("解除时间", null=True, blank=True)
    hazard = models.ForeignKey(
        Hazard, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="隐患"
    )

    class Meta:
        verbose_name = "监测报警"
        verbose_name_plural = "监测报警"
        indexes = [
            models.Index(fields=["project", "started_at"], name="alarm_site_time"),
            models.Index(
                fields=["device", "kind"], name="alarm_open", condition=Q(cleared_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device} {self.factor_label}{self.get_kind_display()}"

    @property
    def factor_label(self) -> str:
        return FACTORS.get(self.factor, (self.factor, ""))[0] if self.factor else ""

    @property
    def unit(self) -> str:
        return FACTORS.get(self.factor, ("", ""))[1] if self.factor else ""


class ForwardTarget(models.Model):
    """An upstream HJ 212 platform (the city's or province's 扬尘监测平台) that Zhujian
    feeds as a field machine: the stored readings re-encoded under the MN the upstream
    assigned to each site, replayed in order after an outage (``forward.py``).

    The queue is the readings table itself, read from ``cursor`` (the last reading the
    upstream acknowledged with 9014); its length is bounded, and what the bound or the
    real-time replay window skipped is counted in ``dropped``."""

    name = models.CharField("平台名称", max_length=60, unique=True)
    host = models.CharField("地址", max_length=120)
    port = models.PositiveIntegerField("端口")
    password = EncryptedCharField("访问密码（PW）", max_length=64)
    st = models.CharField("系统编码（ST）", max_length=4, default="22")
    mn_map = models.JSONField(
        "MN对照",
        default=dict,
        blank=True,
        help_text="设备MN → 上级平台分配的MN；未列出的按原MN转发",
    )
    cns = models.CharField(
        "转发的数据类型", max_length=40, default="2011,2051,2061", help_text="逗号分隔的CN"
    )
    enabled = models.BooleanField("启用", default=True)
    cursor = models.PositiveBigIntegerField("已确认到的数据编号", default=0)
    forwarded = models.PositiveBigIntegerField("已转发条数", default=0)
    dropped = models.PositiveBigIntegerField("因积压上限丢弃条数", default=0)
    dropped_stale = models.PositiveBigIntegerField("超出实时数据补传时限未补传条数", default=0)
    last_ok_at = models.DateTimeField("最近成功时间", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=200, blank=True)

    class Meta:
        verbose_name = "上级监测平台转发"
        verbose_name_plural = "上级监测平台转发"

    def __str__(self) -> str:
        return self.name
