"""Numbers of the construction rules that a province or city may set: Django settings with
defaults from national law.

``ZHUJIAN_CRANE_REGISTRATION_DAYS`` (30): 使用登记 of a lifting machine is due within this
many days of its acceptance (建设工程安全生产管理条例 第三十五条).
``ZHUJIAN_TENDER_MIN_DAYS`` (20): days from issuing the tender documents to the bid
deadline (招标投标法 第二十四条).
"""

from __future__ import annotations

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


def tender_min_days() -> int:
    return TENDER_MIN_DAYS.get()
