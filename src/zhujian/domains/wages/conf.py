"""The wage line's local numbers, each a Django setting with its default.

Read at call time (``conf.pay_day()``), so a county changes a value in its settings and
tests change it with pytest-django's ``settings`` fixture.

| setting | default | meaning |
|---|---|---|
| ``ZHUJIAN_WAGES_PAY_DAY`` | 15 | day of the following month by which a month's wages are paid, for a project that sets none (条例 Art 24: at least monthly) |
| ``ZHUJIAN_WAGES_GRACE_DAYS`` | 5 | days after the pay day before a month without payment becomes an arrears warning |
| ``ZHUJIAN_WAGES_CLOSING_NOTICE_DAYS`` | 30 | public notice before a special wage account is closed (条例 Art 27) |
"""

from __future__ import annotations

from django.conf import settings


def _get(name: str, default: int) -> int:
    return int(getattr(settings, f"ZHUJIAN_WAGES_{name}", default))


def pay_day() -> int:
    return _get("PAY_DAY", 15)


def grace_days() -> int:
    return _get("GRACE_DAYS", 5)


def closing_notice_days() -> int:
    return _get("CLOSING_NOTICE_DAYS", 30)
