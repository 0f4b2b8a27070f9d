"""The exchange centre's declared parameters (:mod:`zhujian.core.params`): how long a
sender holds the rows it claimed, how long it waits for a platform, how often it tries."""

from __future__ import annotations

from zhujian.core import params

_G = "上报中心"
LEASE_S = params.declare(
    _G,
    "EXCHANGE_LEASE_S",
    "发送占用时限（超时未完成的记录先向平台核对再重发）",
    120,
    unit="秒",
    source="本局运维规则",
    min=10,
    max=3600,
)
TIMEOUT_S = params.declare(
    _G,
    "EXCHANGE_TIMEOUT_S",
    "等待平台答复的时限",
    30,
    unit="秒",
    source="本局运维规则",
    min=1,
    max=600,
)
MAX_ATTEMPTS = params.declare(
    _G,
    "EXCHANGE_MAX_ATTEMPTS",
    "平台连不通时每条记录的最多发送次数",
    8,
    unit="次",
    source="本局运维规则",
    min=1,
    max=100,
)
