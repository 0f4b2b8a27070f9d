"""Numbers of the construction rules that a province or city may set: Django settings with
defaults from national law.

``ZHUJIAN_CRANE_REGISTRATION_DAYS`` (30): 使用登记 of a lifting machine is due within this
many days of its acceptance (建设工程安全生产管理条例 第三十五条).
``ZHUJIAN_CRANE_ASSESSMENT_YEARS`` (``{"tower": 10, "hoist": 8, "material": 5}``): years after
leaving the factory when a machine of that kind needs a safety assessment (安全评估) before
further use (JGJ/T 189-2009《建筑起重机械安全评估技术规程》第3.0.1条: tower cranes below
630 kN·m after 10 years, SC hoists after 8, SS hoists after 5; 建设部令第166号 第七条 forbids
using a machine past its service life). A kind not listed is not assessed by age.
``ZHUJIAN_TENDER_MIN_DAYS`` (20): days from issuing the tender documents to the bid
deadline (招标投标法 第二十四条).
"""

from __future__ import annotations

import datetime as dt

from zhujian.core import params

DEFAULT_CRANE_REGISTRATION_DAYS = 30
DEFAULT_TENDER_MIN_DAYS = 20
# 安全生产许可证 validity (安全生产许可证条例 第九条): national, not a setting.
SAFETY_LICENCE_YEARS = 3

CRANE_REGISTRATION_DAYS = params.declare(
    "建筑业",
    "CRANE_REGISTRATION_DAYS",
    "起重机械使用登记期限",
    DEFAULT_CRANE_REGISTRATION_DAYS,
    unit="日",
    source="建设工程安全生产管理条例 第三十五条",
    min=1,
    max=90,
)
TENDER_MIN_DAYS = params.declare(
    "建筑业",
    "TENDER_MIN_DAYS",
    "招标文件发出至投标截止最短天数",
    DEFAULT_TENDER_MIN_DAYS,
    unit="日",
    source="招标投标法 第二十四条",
    min=20,
    max=90,
)


def crane_registration_days() -> int:
    return CRANE_REGISTRATION_DAYS.get()


DEFAULT_CRANE_ASSESSMENT_YEARS = {"tower": 10, "hoist": 8, "material": 5}
CRANE_ASSESSMENT_YEARS = params.declare(
    "建筑业",
    "CRANE_ASSESSMENT_YEARS",
    "起重机械使用年限（超过须安全评估）",
    DEFAULT_CRANE_ASSESSMENT_YEARS,
    unit="年",
    source="JGJ/T 189-2009 第3.0.1条",
    min=1,
    max=30,
    parts={"tower": "塔式起重机", "hoist": "施工升降机", "material": "物料提升机"},
)


def crane_assessment_years(kind: str) -> int | None:
    """Years of service after which a machine of ``kind`` needs a 安全评估 (None: no limit)."""
    value = (CRANE_ASSESSMENT_YEARS.get() or {}).get(kind)
    return int(value) if value else None


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def tender_min_days() -> int:
    return TENDER_MIN_DAYS.get()


PROVINCE_PLATFORM_RATE = params.declare(
    "建筑市场",
    "CONSTRUCTION_PROVINCE_PLATFORM_RATE",
    "向省建筑市场监管一体化平台每秒最多发送的请求数（0为不限）",
    2,
    unit="次/秒",
    source="省平台接入要求",
    min=0,
    max=1000,
)
