"""The wage line's local numbers, each a Django setting with its default.

The legal and local ones are declared parameters (:mod:`zhujian.core.params`, the
参数设置 page overrides the setting). Read at call time (``conf.pay_day()``), so a county changes a value in its settings and
tests change it with pytest-django's ``settings`` fixture.

| setting | default | meaning |
|---|---|---|
| ``ZHUJIAN_WAGES_PAY_DAY`` | 15 | day of the following month by which a month's wages are paid, for a project that sets none (条例 Art 24: at least monthly) |
| ``ZHUJIAN_WAGES_GRACE_DAYS`` | 5 | days after the pay day before a month without payment becomes an arrears warning |
| ``ZHUJIAN_WAGES_CLOSING_NOTICE_DAYS`` | 30 | public notice before a special wage account is closed (条例 Art 27) |
"""

from __future__ import annotations

from zhujian.core import params

_G = "农民工工资"
PAY_DAY = params.declare(
    _G,
    "WAGES_PAY_DAY",
    "工资支付日（次月几日前）",
    15,
    unit="日",
    source="保障农民工工资支付条例 第二十四条",
    min=1,
    max=31,
)
GRACE_DAYS = params.declare(
    _G,
    "WAGES_GRACE_DAYS",
    "支付日后几日未支付即预警",
    5,
    unit="日",
    source="本局监管规则",
    min=0,
    max=60,
)
CLOSING_NOTICE_DAYS = params.declare(
    _G,
    "WAGES_CLOSING_NOTICE_DAYS",
    "专用账户撤销前公示天数",
    30,
    unit="日",
    source="保障农民工工资支付条例 第二十七条",
    min=1,
    max=180,
)


def pay_day() -> int:
    return PAY_DAY.get()


def grace_days() -> int:
    return GRACE_DAYS.get()


def closing_notice_days() -> int:
    return CLOSING_NOTICE_DAYS.get()


WORKERS_PLATFORM_RATE = params.declare(
    _G,
    "WAGES_WORKERS_PLATFORM_RATE",
    "向全国建筑工人管理服务信息平台每秒最多发送的请求数（0为不限）",
    5,
    unit="次/秒",
    source="平台接入要求（各省公布的调用频率）",
    min=0,
    max=1000,
)
WORKERS_PLATFORM_BATCH = params.declare(
    _G,
    "WAGES_WORKERS_PLATFORM_BATCH",
    "每次上报考勤的最多条数",
    500,
    unit="条",
    source="平台接入要求",
    min=1,
    max=5000,
)
