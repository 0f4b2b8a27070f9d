"""The numbers of 《信访工作条例》(2022) the petition ledger enforces, each a setting.

Each is a declared parameter (:mod:`zhujian.core.params`): set on the 参数设置 page, or as
the setting / environment variable below; read at call time, so a change takes effect
without a restart.

=========================================  =======  ==========================================
setting                                    default  rule
=========================================  =======  ==========================================
``ZHUJIAN_PETITION_NOTICE_DAYS``           15       written notice (受理/不受理/告知) within 15 days
                                                    of receipt (第二十三条)
``ZHUJIAN_PETITION_TRANSFER_WORKDAYS``     5        an item *referred* to the bureau (转送、交办)
                                                    that is not its business goes back within 5
                                                    working days (第二十三条); a petitioner's own
                                                    item keeps the 15 days
``ZHUJIAN_PETITION_HANDLING_DAYS``         60       handled and answered within 60 days of
                                                    acceptance (第三十四条)
``ZHUJIAN_PETITION_MAX_EXTENSION_DAYS``    30       one extension, at most 30 days, approved by
                                                    the head with a reason (第三十四条)
``ZHUJIAN_PETITION_REVIEW_REQUEST_DAYS``   30       复查 requested within 30 days of receiving
                                                    the written reply (its service date, 第三十五条)
``ZHUJIAN_PETITION_REVIEW_ANSWER_DAYS``    30       复查 answered within 30 days (第三十五条)
``ZHUJIAN_PETITION_RECHECK_REQUEST_DAYS``  30       复核 requested within 30 days of receiving
                                                    the review opinion (its service date, 第三十六条)
``ZHUJIAN_PETITION_RECHECK_ANSWER_DAYS``   30       复核 answered within 30 days (第三十六条)
``ZHUJIAN_PETITION_MAX_REPRESENTATIVES``   5        a group visit sends at most 5 representatives
                                                    (第二十条)
``ZHUJIAN_PETITION_DUE_SOON_DAYS``         7        how far ahead the due-soon list looks
=========================================  =======  ==========================================

Days are counted by :func:`zhujian.core.deadlines.due_after` (the day of the event not
counted; a last day on a weekend or holiday moves to the next working day).
"""

from __future__ import annotations

from zhujian.core import params

_G = "信访"
_L = "信访工作条例"
PARAMS = {
    "NOTICE_DAYS": params.declare(
        _G,
        "PETITION_NOTICE_DAYS",
        "受理告知期限",
        15,
        unit="日",
        source=f"{_L} 第二十三条",
        min=1,
        max=90,
    ),
    "TRANSFER_WORKDAYS": params.declare(
        _G,
        "PETITION_TRANSFER_WORKDAYS",
        "转送交办期限",
        5,
        unit="个工作日",
        source=f"{_L} 第二十三条",
        min=1,
        max=30,
    ),
    "HANDLING_DAYS": params.declare(
        _G,
        "PETITION_HANDLING_DAYS",
        "办理答复期限",
        60,
        unit="日",
        source=f"{_L} 第三十四条",
        min=1,
        max=180,
    ),
    "MAX_EXTENSION_DAYS": params.declare(
        _G,
        "PETITION_MAX_EXTENSION_DAYS",
        "延期最长天数",
        30,
        unit="日",
        source=f"{_L} 第三十四条",
        min=0,
        max=90,
    ),
    "REVIEW_REQUEST_DAYS": params.declare(
        _G,
        "PETITION_REVIEW_REQUEST_DAYS",
        "申请复查期限",
        30,
        unit="日",
        source=f"{_L} 第三十五条",
        min=1,
        max=90,
    ),
    "REVIEW_ANSWER_DAYS": params.declare(
        _G,
        "PETITION_REVIEW_ANSWER_DAYS",
        "复查答复期限",
        30,
        unit="日",
        source=f"{_L} 第三十五条",
        min=1,
        max=90,
    ),
    "RECHECK_REQUEST_DAYS": params.declare(
        _G,
        "PETITION_RECHECK_REQUEST_DAYS",
        "申请复核期限",
        30,
        unit="日",
        source=f"{_L} 第三十六条",
        min=1,
        max=90,
    ),
    "RECHECK_ANSWER_DAYS": params.declare(
        _G,
        "PETITION_RECHECK_ANSWER_DAYS",
        "复核答复期限",
        30,
        unit="日",
        source=f"{_L} 第三十六条",
        min=1,
        max=90,
    ),
    "MAX_REPRESENTATIVES": params.declare(
        _G,
        "PETITION_MAX_REPRESENTATIVES",
        "走访代表最多人数",
        5,
        unit="人",
        source=f"{_L} 第二十条",
        min=1,
        max=20,
    ),
    "DUE_SOON_DAYS": params.declare(
        _G,
        "PETITION_DUE_SOON_DAYS",
        "即将到期提示天数",
        7,
        unit="日",
        source="本局工作安排",
        min=1,
        max=60,
    ),
}
DEFAULTS = {name: param.default for name, param in PARAMS.items()}


def value(name: str) -> int:
    """The parameter ``PETITION_<name>`` in force (参数设置, setting, environment, default)."""
    return PARAMS[name].get()


def due_soon_days() -> int:
    return value("DUE_SOON_DAYS")
