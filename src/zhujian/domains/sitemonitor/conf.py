"""The site-monitoring line's numbers, each a Django setting with its default.

The legal and local ones are declared parameters (:mod:`zhujian.core.params`, the
参数设置 page overrides the setting). Read at call time, so a county changes a value in its settings and tests change it with
pytest-django's ``settings`` fixture.

| setting | default | meaning |
|---|---|---|
| ``ZHUJIAN_HJ212_HOST`` / ``ZHUJIAN_HJ212_PORT`` | ``0.0.0.0`` / 9212 | where ``zhujian hj212 serve`` listens |
| ``ZHUJIAN_HJ212_LIMITS`` | see :data:`DEFAULT_LIMITS` | limit per factor (mg/m³; noise dB(A) by day and night) |
| ``ZHUJIAN_HJ212_DAY_HOURS`` | ``(6, 22)`` | noise "day" is [06:00, 22:00) local time (GB 12523-2011) |
| ``ZHUJIAN_HJ212_ALARM_READINGS`` | 3 | consecutive readings over a limit that raise an alarm |
| ``ZHUJIAN_HJ212_ALARM_CN`` | ``2011`` | the data whose values are checked against the limits |
| ``ZHUJIAN_HJ212_OFFLINE_MINUTES`` | 10 | a device silent this long is offline |
| ``ZHUJIAN_HJ212_RAW_DAYS`` | 180 | raw packets are kept this many days (``zhujian hj212 prune``) |
| ``ZHUJIAN_HJ212_FLUSH_SECONDS`` | 0.5 | the writer's batch interval |
| ``ZHUJIAN_HJ212_RELOAD_SECONDS`` | 60 | how often the receiver re-reads the device registry |
| ``ZHUJIAN_HJ212_IDLE_SECONDS`` | 900 | a connection silent this long is closed (0: never) |
| ``ZHUJIAN_HJ212_MAX_CONNECTIONS`` | 50000 | connections open at once (kept below the open-file limit) |
"""

from __future__ import annotations

from django.conf import settings

from zhujian.core import params

# Defaults: GB 3095-2012 24-hour class II limits for PM10, PM2.5 and TSP (mg/m³) and
# GB 12523-2011 site-boundary noise, 70 dB(A) by day and 55 dB(A) by night. Counties
# with a stricter local standard set their own.
DEFAULT_LIMITS: dict[str, float] = {
    "a34002": 0.15,
    "a34004": 0.075,
    "a34001": 0.30,
    "LA_day": 70.0,
    "LA_night": 55.0,
}


_G = "工地扬尘噪声监测"
LIMITS = params.declare(
    _G,
    "HJ212_LIMITS",
    "报警限值",
    DEFAULT_LIMITS,
    kind=float,
    min=0,
    max=1000,
    source="GB 3095-2012 二级 24 小时平均浓度限值；GB 12523-2011 场界噪声；地方扬尘标准从严",
    parts={
        "a34002": "PM10（毫克/立方米）",
        "a34004": "PM2.5（毫克/立方米）",
        "a34001": "总悬浮颗粒物（毫克/立方米）",
        "LA_day": "昼间噪声（分贝）",
        "LA_night": "夜间噪声（分贝）",
    },
)
ALARM_READINGS = params.declare(
    _G,
    "HJ212_ALARM_READINGS",
    "连续超限几次报警",
    3,
    unit="次",
    source="本局监管规则",
    min=1,
    max=100,
)
OFFLINE_MINUTES = params.declare(
    _G,
    "HJ212_OFFLINE_MINUTES",
    "设备离线判定时长",
    10,
    kind=float,
    unit="分钟",
    source="本局监管规则",
    min=1,
    max=1440,
)
RAW_DAYS = params.declare(
    _G,
    "HJ212_RAW_DAYS",
    "原始报文保存天数",
    180,
    unit="日",
    source="本局数据保存规定",
    min=1,
    max=3650,
)


def _get(name: str, default: object) -> object:
    return getattr(settings, f"ZHUJIAN_HJ212_{name}", default)


def host() -> str:
    return str(_get("HOST", "0.0.0.0"))


def port() -> int:
    return int(_get("PORT", 9212))


def limits() -> dict[str, float]:
    return LIMITS.get()


def day_hours() -> tuple[int, int]:
    start, end = _get("DAY_HOURS", (6, 22))  # type: ignore[misc]
    return int(start), int(end)


def alarm_readings() -> int:
    return ALARM_READINGS.get()


def alarm_cn() -> str:
    return str(_get("ALARM_CN", "2011"))


def offline_minutes() -> float:
    return OFFLINE_MINUTES.get()


def raw_days() -> int:
    return RAW_DAYS.get()


def flush_seconds() -> float:
    return float(_get("FLUSH_SECONDS", 0.5))


def reload_seconds() -> float:
    return float(_get("RELOAD_SECONDS", 60))


def idle_seconds() -> float:
    return max(0.0, float(_get("IDLE_SECONDS", 900)))


def max_connections() -> int:
    return max(1, int(_get("MAX_CONNECTIONS", 50_000)))
