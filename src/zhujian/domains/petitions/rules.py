"""The numbers of 《信访工作条例》(2022) the petition ledger enforces, each a setting.

Read at call time, so a province's own value (or a test) takes effect without a restart.

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

from django.conf import settings

DEFAULTS = {
    "NOTICE_DAYS": 15,
    "TRANSFER_WORKDAYS": 5,
    "HANDLING_DAYS": 60,
    "MAX_EXTENSION_DAYS": 30,
    "REVIEW_REQUEST_DAYS": 30,
    "REVIEW_ANSWER_DAYS": 30,
    "RECHECK_REQUEST_DAYS": 30,
    "RECHECK_ANSWER_DAYS": 30,
    "MAX_REPRESENTATIVES": 5,
    "DUE_SOON_DAYS": 7,
}


def value(name: str) -> int:
    """The setting ``ZHUJIAN_PETITION_<name>``, or its default."""
    return int(getattr(settings, f"ZHUJIAN_PETITION_{name}", DEFAULTS[name]))


def due_soon_days() -> int:
    return value("DUE_SOON_DAYS")
