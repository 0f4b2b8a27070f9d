"""The site-monitoring line's numbers, each a Django setting with its default.

The legal and local ones are declared parameters (:mod:`zhujian.core.params`, the
参数设置 page overrides the setting). Read at call time, so a county changes a value in its settings and tests change it with
pytest-django's ``settings`` fixture.

| setting | default | meaning |
|---|---|---|
| ``ZHUJIAN_HJ212_HOST`` / ``ZHUJIAN_HJ212_PORT`` | ``0.0.0.0`` / 9212 | where ``zhujian hj212 serve`` listens |
| ``ZHUJIAN_HJ212_LIMITS`` | see :data:`DEFAULT_LIMITS` | limit per factor (mg/m³; noise dB(A) by day and night) |
| ``ZHUJIAN_HJ212_AVERAGING_MINUTES`` | see :data:`DEFAULT_AVERAGING_MINUTES` | minutes the alarm data are averaged over per factor (0: each reading) |
| ``ZHUJIAN_HJ212_LIMIT_SOURCES`` | see :data:`DEFAULT_SOURCES` | the standard each limit comes from, cited in alarms and hazards |
| ``ZHUJIAN_HJ212_DAY_HOURS`` | ``(6, 22)`` | noise "day" is [06:00, 22:00) local time (GB 12523-2011) |
| ``ZHUJIAN_HJ212_ALARM_READINGS`` | 3 | consecutive readings over a limit that raise an alarm |
| ``ZHUJIAN_HJ212_ALARM_CN`` | ``2011`` | the data whose values are checked against the limits |
| ``ZHUJIAN_HJ212_OFFLINE_MINUTES`` | 10 | a device silent this long is offline |
| ``ZHUJIAN_HJ212_RAW_DAYS`` | 180 | raw packets are kept this many days (``zhujian hj212 prune``) |
| ``ZHUJIAN_HJ212_FLUSH_SECONDS`` | 0.5 | the writer's batch interval |
| ``ZHUJIAN_HJ212_RELOAD_SECONDS`` | 60 | how often the receiver re-reads the device registry |
| ``ZHUJIAN_HJ212_IDLE_SECONDS`` | 900 | a connection silent this long is closed (0: never) |
| ``ZHUJIAN_HJ212_MAX_CONNECTIONS`` | 50000 | connections open at once (kept below the open-file limit) |
| ``ZHUJIAN_HJ212_CLOCK_SKEW_SECONDS`` | 600 | a DataTime later than the receiver's clock by more is refused |
| ``ZHUJIAN_HJ212_MAX_AGE_DAYS`` | 400 | a DataTime older than this is refused (re-sent history included) |
| ``ZHUJIAN_HJ212_MAX_PER_ADDRESS`` | 256 | connections open at once from one address |
| ``ZHUJIAN_HJ212_AUTH_SECONDS`` | 30 | a connection with no accepted packet this long after opening is closed |
| ``ZHUJIAN_HJ212_AUTH_FAILURES_PER_MN`` | 5 | wrong passwords for one MN (per window) before it is locked for other addresses, and an alarm |
| ``ZHUJIAN_HJ212_AUTH_FAILURES_PER_ADDRESS`` | 10 | wrong passwords from one address (per window) before it is locked |
| ``ZHUJIAN_HJ212_AUTH_WINDOW_SECONDS`` | 600 | the window of those counts, and how long a lock lasts |
| ``ZHUJIAN_HJ212_RAW_SAMPLES_PER_HOUR`` | 20 | raw copies kept of refused packets per MN and reason, and per address, each hour |
| ``ZHUJIAN_HJ212_PLAUSIBLE`` | see :data:`PLAUSIBLE` | (low, high) per factor: a value outside is refused |
"""

from __future__ import annotations

from django.conf import settings

from zhujian.core import params

# Defaults, each with the standard it comes from and the averaging period that standard
# states (the receiver averages the alarm data over that period before comparing):
# - PM10, PM2.5, TSP: GB 3095-2012 环境空气质量标准, class II (二级) 24-hour means,
#   0.15 / 0.075 / 0.30 mg/m³ — the national ambient limits; a county with a local
#   construction-dust (施工扬尘) standard sets that instead, for example
#   DB13/2934-2019 (Hebei): PM10 80 µg/m³ hourly; DB61/1078-2017 (Shaanxi): TSP
#   0.7–0.8 mg/m³ hourly; DB31/964-2016 (Shanghai): 15-minute means;
#   DB21/2642-2016 (Liaoning): TSP 0.8 mg/m³ 5-minute mean.
# - Noise: GB 12523-2011 建筑施工场界环境噪声排放标准, 70 dB(A) by day and 55 dB(A) by
#   night, as the equivalent level (energy mean, Leq) over 20 minutes.
DEFAULT_LIMITS: dict[str, float] = {
    "a34002": 0.15,
    "a34004": 0.075,
    "a34001": 0.30,
    "LA_day": 70.0,
    "LA_night": 55.0,
}
DEFAULT_AVERAGING_MINUTES: dict[str, float] = {
    "a34002": 1440,
    "a34004": 1440,
    "a34001": 1440,
    "LA": 20,
}
DEFAULT_SOURCES: dict[str, str] = {
    "a34002": "GB 3095-2012 二级浓度限值（24小时平均）",
    "a34004": "GB 3095-2012 二级浓度限值（24小时平均）",
    "a34001": "GB 3095-2012 二级浓度限值（24小时平均）",
    "LA": "GB 12523-2011 表1 场界噪声排放限值（20分钟等效声级）",
}


#: Values a monitor can physically report, in the standard's units (concentrations in
#: mg/m³ after unit conversion). A value outside is not a measurement: the packet is
#: refused (and not acknowledged) rather than stored as the site's latest value.
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "a34002": (0.0, 100.0),  # PM10, mg/m³ (light-scattering and beta monitors top out near 10)
    "a34004": (0.0, 100.0),  # PM2.5
    "a34001": (0.0, 100.0),  # TSP
    "LA": (0.0, 200.0),  # dB(A)
    "a01001": (-80.0, 80.0),  # ℃
    "a01002": (0.0, 100.0),  # %
    "a01006": (30.0, 120.0),  # kPa
    "a01007": (0.0, 100.0),  # m/s
    "a01008": (0.0, 360.0),  # °
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
_FACTORS = {
    "a34002": "PM10",
    "a34004": "PM2.5",
    "a34001": "总悬浮颗粒物",
    "LA": "噪声",
}
AVERAGING_MINUTES = params.declare(
    _G,
    "HJ212_AVERAGING_MINUTES",
    "报警数据平均时段（0为逐条判断）",
    DEFAULT_AVERAGING_MINUTES,
    kind=float,
    unit="分钟",
    source="限值所依据标准规定的平均时间（GB 3095-2012 24小时；GB 12523-2011 20分钟）",
    min=0,
    max=10080,
    parts=_FACTORS,
)
LIMIT_SOURCES = params.declare(
    _G,
    "HJ212_LIMIT_SOURCES",
    "报警限值依据（报警和隐患中引用）",
    DEFAULT_SOURCES,
    kind=str,
    source="本县采用的国家或地方扬尘、噪声标准",
    parts=_FACTORS,
)


def _get(name: str, default: object) -> object:
    return getattr(settings, f"ZHUJIAN_HJ212_{name}", default)


def host() -> str:
    return str(_get("HOST", "0.0.0.0"))


def port() -> int:
    return int(_get("PORT", 9212))


def limits() -> dict[str, float]:
    return LIMITS.get()


def averaging_minutes() -> dict[str, float]:
    """Factor → minutes its alarm data are averaged over (0: each reading alone)."""
    return {k: max(0.0, float(v)) for k, v in AVERAGING_MINUTES.get().items()}


def limit_sources() -> dict[str, str]:
    """Factor → the standard (and averaging) its limit comes from, as alarms cite it.

    A limit the county set (参数设置, setting or environment) without naming its source is
    cited as the county's own, so an alarm never names a national standard for a number
    that is not that standard's."""
    limits_now = LIMITS.get()
    own = {k for k, v in limits_now.items() if float(v) != float(DEFAULT_LIMITS.get(k, -1))}
    named = {k: v for k, v in LIMIT_SOURCES.get().items() if v and v != DEFAULT_SOURCES.get(k)}
    minutes = averaging_minutes()
    sources = {}
    for factor in DEFAULT_SOURCES:
        keys = ("LA_day", "LA_night") if factor == "LA" else (factor,)
        if factor in named:
            sources[factor] = str(named[factor])[:100]
        elif any(k in own for k in keys):
            window = minutes.get(factor, 0)
            sources[factor] = (
                f"本地设定限值（{window:g}分钟平均）" if window else "本地设定限值（单次读数）"
            )
        else:
            sources[factor] = DEFAULT_SOURCES[factor]
    return sources


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


def clock_skew() -> float:
    """Seconds a DataTime may run ahead of the receiver's clock (device clocks drift)."""
    return max(0.0, float(_get("CLOCK_SKEW_SECONDS", 600)))


def max_age_days() -> float:
    """Days back a DataTime may lie (a device re-sending what it stored while offline)."""
    return max(1.0, float(_get("MAX_AGE_DAYS", 400)))


def plausible() -> dict[str, tuple[float, float]]:
    merged = {**PLAUSIBLE, **dict(_get("PLAUSIBLE", {}) or {})}  # type: ignore[call-overload]
    return {k: (float(lo), float(hi)) for k, (lo, hi) in merged.items()}


def max_per_address() -> int:
    return max(1, int(_get("MAX_PER_ADDRESS", 256)))


def auth_seconds() -> float:
    return max(1.0, float(_get("AUTH_SECONDS", 30)))


def auth_failures_per_mn() -> int:
    return max(1, int(_get("AUTH_FAILURES_PER_MN", 5)))


def auth_failures_per_address() -> int:
    return max(1, int(_get("AUTH_FAILURES_PER_ADDRESS", 10)))


def auth_window_seconds() -> float:
    return max(1.0, float(_get("AUTH_WINDOW_SECONDS", 600)))


def raw_samples_per_hour() -> int:
    return max(0, int(_get("RAW_SAMPLES_PER_HOUR", 20)))


FORWARD_QUEUE_MAX = params.declare(
    _G,
    "HJ212_FORWARD_QUEUE_MAX",
    "向上级平台转发的积压上限（超出时丢弃最早的数据并计数）",
    200_000,
    unit="条",
    source="本局运维规则",
    min=100,
    max=10_000_000,
)
FORWARD_REALTIME_REPLAY_MIN = params.declare(
    _G,
    "HJ212_FORWARD_REALTIME_REPLAY_MIN",
    "中断恢复后补传实时数据（2011）的时限",
    10,
    unit="分钟",
    source="HJ 212-2017 只规定分钟、小时、日数据可补取；实时数据补传由上级平台规定",
    min=0,
    max=1440,
)
FORWARD_OVERTIME_S = params.declare(
    _G,
    "HJ212_FORWARD_OVERTIME_S",
    "等待上级平台数据应答（9014）的超时时间（OverTime）",
    5,
    unit="秒",
    source="HJ 212-2017 6.6 超时重发",
    min=1,
    max=120,
)
FORWARD_RECOUNT = params.declare(
    _G,
    "HJ212_FORWARD_RECOUNT",
    "未收到应答时的重发次数（ReCount）",
    3,
    unit="次",
    source="HJ 212-2017 6.6 超时重发",
    min=0,
    max=10,
)
