"""Reporting periods: year, half, quarter, month, date range, and "as of a date" (截至).

Codes: ``2022``, ``2022H1``, ``2022Q3``, ``2022-05``, ``2022-01-01..2022-06-30`` and
``@2022-06-30`` (as of). A period figure counts events dated inside
``[start, end]``; an as-of figure counts entity states on ``end``.

People type periods too, so :func:`normalize` first turns the ways a clerk writes one
(``2022年上半年``, ``2022年第二季度``, ``2022年6月``, ``截至2022年6月30日``, ``2022h1``, full-width
digits) into those codes.

Periods come from URLs and the command line, so :meth:`Period.parse` turns every bad code
(an impossible date, a year outside :data:`MIN_YEAR`–:data:`MAX_YEAR`) into a
:class:`PeriodError` with a Chinese message; the bounds keep year-on-year shifting and
month stepping inside the calendar.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

_YEAR = re.compile(r"^(\d{4})$")
_HALF = re.compile(r"^(\d{4})H([12])$", re.I)
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$", re.I)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_ASOF = re.compile(r"^@(\d{4}-\d{2}-\d{2})$")


# Years a period may cover. Year-on-year figures look one year back, and trend charts
# step month by month, so the bounds keep every derived date a valid ``datetime.date``.
MIN_YEAR = 1900
MAX_YEAR = 2100


class PeriodError(ValueError):
    pass


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_CN_HALF = re.compile(r"^(\d{4})年?(上|下)半年$")
_CN_QUARTER = re.compile(r"^(\d{4})年?第?([一二三四1-4])季度?$")
_CN_MONTH = re.compile(r"^(\d{4})[年./](\d{1,2})月?$")
_CN_YEAR = re.compile(r"^(\d{4})年(?:全年|度)?$")
_CN_DATE = r"(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?"
_CN_ASOF = re.compile(rf"^(?:截至|截止|截止到|至)?{_CN_DATE}$")
_CN_RANGE = re.compile(rf"^{_CN_DATE}(?:至|到|~|～|—|-{{1,2}}|\.\.){_CN_DATE}$")
MAX_TYPED = 40  # longer input is not a period; don't run patterns over it


def normalize(text: str) -> str:
    """The period code for what a person typed: Chinese forms, full-width digits and
    spaces, lower-case letters. Text that is none of these comes back as it was (after
    trimming), for :meth:`Period.parse` to refuse with its message."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    if len(raw) > MAX_TYPED:
        return raw[:MAX_TYPED]
    compact = re.sub(r"\s+", "", raw).upper()
    if m := _CN_HALF.match(compact):
        return f"{m[1]}H{1 if m[2] == '上' else 2}"
    if m := _CN_QUARTER.match(compact):
        return f"{m[1]}Q{_CN_DIGITS[m[2]]}"
    if m := _CN_YEAR.match(compact):
        return m[1]
    if m := _CN_RANGE.match(compact):
        start = f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
        end = f"{m[4]}-{int(m[5]):02d}-{int(m[6]):02d}"
        return f"{start}..{end}"
    if (m := _CN_ASOF.match(compact)) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", compact):
        return f"@{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", compact):  # a bare date: as of that day
        return f"@{compact}"
    if m := _CN_MONTH.match(compact):
        return f"{m[1]}-{int(m[2]):02d}"
    if compact.startswith("@"):
        return compact
    return compact


def _year(text: str, code: str) -> int:
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"期间“{code}”超出范围：年份应在 {MIN_YEAR}–{MAX_YEAR} 之间")
    return year


def _date(text: str, code: str) -> dt.date:
    _year(text[:4], code)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"期间“{code}”中的日期 {text} 不存在") from None


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Period:
    code: str
    start: dt.date
    end: dt.date
    as_of: bool = False

    @classmethod
    def parse(cls, code: str) -> Period:
        """The period a code (or a typed Chinese period, see :func:`normalize`) names;
        :class:`PeriodError` (in Chinese) for anything else."""
        text = normalize(code)
        if m := _YEAR.match(text):
            y = _year(m[1], code)
            return cls(text, dt.date(y, 1, 1), dt.date(y, 12, 31))
        if m := _HALF.match(text):
            y, h = _year(m[1], code), int(m[2])
            return cls(
                f"{y}H{h}", dt.date(y, 1 if h == 1 else 7, 1), _month_end(y, 6 if h == 1 else 12)
            )
        if m := _QUARTER.match(text):
            y, q = _year(m[1], code), int(m[2])
            return cls(f"{y}Q{q}", dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
        if m := _MONTH.match(text):
            y, mo = _year(m[1], code), int(m[2])
            if not 1 <= mo <= 12:
                raise PeriodError(f"月份应在 1–12 之间：{code}")
            return cls(f"{y}-{mo:02d}", dt.date(y, mo, 1), _month_end(y, mo))
        if m := _RANGE.match(text):
            start, end = _date(m[1], code), _date(m[2], code)
            if end < start:
                raise PeriodError(f"结束日期早于开始日期：{code}")
            return cls(text, start, end)
        if m := _ASOF.match(text):
            day = _date(m[1], code)
            return cls(text, dt.date(day.year, 1, 1), day, as_of=True)
        raise PeriodError(
            f"无法识别的期间“{code[:MAX_TYPED]}”：可写 2022年、2022年上半年（2022H1）、"
            "2022年第三季度（2022Q3）、2022年5月（2022-05）、截至2022年6月30日（@2022-06-30）"
            "或 2022-01-01..2022-06-30"
        )

    def previous_year(self) -> Period:
        start, end = _shift_year(self.start, -1), _shift_year(self.end, -1)
        if _YEAR.match(self.code):
            code = str(start.year)
        elif m := _HALF.match(self.code):
            code = f"{start.year}H{m[2]}"
        elif m := _QUARTER.match(self.code):
            code = f"{start.year}Q{m[2]}"
        elif _MONTH.match(self.code):
            code = f"{start.year}-{start.month:02d}"
        elif self.as_of:
            code = f"@{end.isoformat()}"
        else:
            code = f"{start.isoformat()}..{end.isoformat()}"
        return Period(code, start, end, self.as_of)

    @property
    def label(self) -> str:
        if _YEAR.match(self.code):
            return f"{self.start.year}年"
        if m := _HALF.match(self.code):
            return f"{self.start.year}年{'上' if m[2] == '1' else '下'}半年"
        if m := _QUARTER.match(self.code):
            return f"{self.start.year}年第{'一二三四'[int(m[2]) - 1]}季度"
        if _MONTH.match(self.code):
            return f"{self.start.year}年{self.start.month}月"
        if self.as_of:
            return f"截至{self.end.year}年{self.end.month}月{self.end.day}日"
        return (
            f"{self.start.year}年{self.start.month}月{self.start.day}日至"
            f"{self.end.year}年{self.end.month}月{self.end.day}日"
        )

    def __str__(self) -> str:
        return self.code
