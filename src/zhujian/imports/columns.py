"""Excel columns derived from a ledger's model fields: headers, parsing and formatting.

One :class:`Column` per Excel column. ``parse`` turns a cell value (as python-calamine
or openpyxl gives it) into the field's Python value or raises :class:`CellError`
with a reason in Chinese; ``format`` does the reverse for export.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone

from zhujian.core import bounds, codes, personal, scope
from zhujian.core.models import OrgUnit, User
from zhujian.core.registry import Ledger


class CellError(ValueError):
    """A cell's value cannot be used; the message says why, in Chinese."""


TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "已"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×", "未"}
DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(value: Any) -> dt.date:
    day = _date(value)
    try:
        bounds.check_date(day)
    except bounds.BoundsError as exc:
        raise CellError(str(exc)) from None
    return day


DATETIME_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_datetime(value: Any) -> dt.datetime:
    """A date and time as Excel or a person writes it, in the server's time zone, to the
    second (Excel keeps times as fractions of a day, so a read-back may be off by a few
    microseconds)."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and 20000 < value < 80000:
        moment = dt.datetime(1899, 12, 30) + dt.timedelta(days=float(value))
    else:
        match = DATETIME_RE.match(str(value).strip()[:25])
        if match is None:
            raise CellError("不是有效的日期时间（应为 2022-05-01 08:30 格式）")
        try:
            moment = dt.datetime(*(int(g or 0) for g in match.groups()))
        except ValueError:
            raise CellError("不是有效的日期时间（应为 2022-05-01 08:30 格式）") from None
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + dt.timedelta(
            seconds=round(moment.microsecond / 1_000_000)
        )
    try:
        bounds.check_date(moment)
    except bounds.BoundsError as exc:
        raise CellError(str(exc)) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def format_datetime(value: Any) -> Any:
    """Excel cannot hold a time zone: the local time without one."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and 20000 < value < 80000:  # an Excel serial date
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    match = DATE_RE.match(str(value).strip()[:20])
    if match:
        try:
            return dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            pass
    raise CellError("不是有效日期（应为 2022-05-01 格式）")


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value).strip()


#: Excel keeps 15 significant digits of a number: a longer code typed into a cell of the
#: General format comes back changed (3713990010010001 → 3713990010010000).
EXCEL_DIGITS = 15

NUMBER_IN_TEXT_COLUMN = (
    "该单元格是数字格式，Excel 只保留 15 位有效数字，编号可能已被改动"
    "（如 3713990010010001 变成 3.71399E+15）；请把该列设置为“文本”格式后重新填写"
    "（或在数字前加英文单引号 '）"
)


def _code_text(value: Any) -> str:
    """A text column's cell: a number Excel may have rounded is refused, not guessed."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value) or abs(value) >= 10**EXCEL_DIGITS:
            raise CellError(NUMBER_IN_TEXT_COLUMN)
    return _text(value)


@dataclass
class Column:
    field_name: str
    header: str
    required: bool
    parse: Callable[[Any], Any]
    format: Callable[[Any], Any]
    choices: list[str] = field(default_factory=list)  # labels, for a drop-down list
    hint: str = ""
    number_format: str | None = None
    # A code, ID, phone or card number (see is_code_like): the instructions name it.
    code_like: bool = False
    width: int = 0  # in characters, for templates and exports (0: from the header)

    @property
    def text(self) -> bool:
        """Written and kept as text (Excel's ``@`` format) in templates and exports."""
        return self.number_format == TEXT_FORMAT


TEXT_FORMAT = "@"
#: Thousands separators where a number is a quantity (not a year or a small count).
THOUSANDS = "#,##0"


def is_code_like(ledger: Ledger, name: str) -> bool:
    """Does the field hold a code people must not see Excel turn into a number? Decided
    from its declaration: a personal phone, ID or card number (``core.personal``), a
    link to an org unit or to another ledger's record by its code, a text field whose
    validators want digits, or a text field that identifies a record (unique, or part of
    the ledger's natural key)."""
    f = ledger.field(name)
    if isinstance(f, models.ForeignKey):
        return True
    if f.choices or not isinstance(f, models.CharField):
        return False
    if personal.is_personal(ledger, name):
        return True
    if f.unique or name in ledger.natural_key:
        return True
    for validator in f.validators:
        pattern = getattr(getattr(validator, "regex", None), "pattern", "")
        if "\\d" in pattern or "0-9" in pattern:
            return True
    return False


def build_columns(
    ledger: Ledger, org_units: dict[str, OrgUnit] | None = None, user: User | None = None
) -> list[Column]:
    """Columns for ``ledger.excel_fields``. To parse cells, ``org_units`` maps codes and
    names to the units the importing ``user`` may file under, and linked records are looked
    up among those ``user`` may see (without a user, nothing links)."""
    return [_column_for(ledger, name, org_units, user) for name in ledger.excel_fields or ()]


def _column_for(
    ledger: Ledger, name: str, org_units: dict[str, OrgUnit] | None, user: User | None
) -> Column:
    f = ledger.field(name)
    header = str(f.verbose_name)
    required = not (f.blank or f.has_default()) or name in ledger.natural_key
    if name in ledger.assigned_codes:
        required = False  # left blank, the platform assigns it (core.codes)
    if isinstance(f, models.BooleanField):
        required = False

    def fmt_plain(v: Any) -> Any:
        return v

    if f.choices:
        by_label = {str(label): code for code, label in f.flatchoices}
        by_code = {str(code): code for code, _ in f.flatchoices}
        labels = list(by_label)
        label_of = {code: str(label) for code, label in f.flatchoices}

        def parse_choice(v: Any) -> Any:
            key = _text(v)
            if key in by_label:
                return by_label[key]
            if key in by_code:
                return by_code[key]
            raise CellError(f"不在可选值中（可选：{'、'.join(labels)}）")

        return Column(
            name,
            header,
            required,
            parse_choice,
            lambda v: label_of.get(v, v),
            labels,
            "从下拉列表选择",
            number_format=TEXT_FORMAT,
            width=max([len(x) for x in labels] + [0]) * 2 + 2,
        )
    if isinstance(f, models.ForeignKey) and f.related_model is OrgUnit:
        return Column(
            name,
            header,
            required,
            _org_unit_parser(org_units),
            lambda u: unit_label(u) if u else None,
            hint="从下拉列表选择；也可填写单位名称（如“城关街道 幸福村”）或12位区划代码",
            number_format=TEXT_FORMAT,
            code_like=True,
            width=32,
        )
    if isinstance(f, models.ForeignKey):
        return _related_column(f, header, required, user)
    if isinstance(f, models.BooleanField):

        def parse_bool(v: Any) -> bool:
            if isinstance(v, bool):
                return v
            key = _text(v).lower()
            if key in TRUE_WORDS:
                return True
            if key in FALSE_WORDS:
                return False
            raise CellError("应填“是”或“否”")

        return Column(
            name,
            header,
            False,
            parse_bool,
            lambda v: "是" if v else "否",
            ["是", "否"],
            number_format=TEXT_FORMAT,
        )
    if isinstance(f, models.DateTimeField):
        return Column(
            name,
            header,
            required,
            parse_datetime,
            format_datetime,
            hint="日期时间，如 2022-05-01 08:30",
            number_format="yyyy-mm-dd hh:mm:ss",
        )
    if isinstance(f, models.DateField):

        def fmt_date(v: Any) -> Any:
            return v

        return Column(
            name,
            header,
            required,
            parse_date,
            fmt_date,
            hint="日期，如 2022-05-01",
            number_format="yyyy-mm-dd",
        )
    if isinstance(f, models.IntegerField):
        lo, hi = bounds.value_range(f)

        def parse_int(v: Any) -> int:
            number = _number(v, "整数")
            if number != number.to_integral_value():
                raise CellError("应为整数")
            _check_bounds(number, lo, hi)
            return int(number)

        # A quantity gets thousands separators; a year (年度, 年份) does not.
        year = name.endswith("year") or "年度" in header or "年份" in header
        grouped = not year and (hi is None or hi >= 10_000)
        return Column(
            name,
            header,
            required,
            parse_int,
            fmt_plain,
            hint="整数",
            number_format=THOUSANDS if grouped else "0",
        )
    if isinstance(f, models.DecimalField | models.FloatField):
        lo, hi = bounds.value_range(f)
        places = getattr(f, "decimal_places", None)
        limit = bounds.decimal_limit(f)

        def parse_num(v: Any) -> Any:
            number = _number(v)
            _check_bounds(number, lo, hi)
            if places is None:
                return float(number)
            if limit is not None and abs(number) >= limit:
                raise CellError(f"数值过大（整数部分最多 {f.max_digits - places} 位）")
            return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

        return Column(
            name,
            header,
            required,
            parse_num,
            lambda v: float(v) if v is not None else None,
            hint="数字",
            number_format=(THOUSANDS + ("." + "0" * places if places else ""))
            if places is not None
            else None,
        )
    max_length = bounds.text_max_length(f)
    # The length is checked above with a clearer message; run the field's other validators.
    validators = [v for v in f.validators if not isinstance(v, MaxLengthValidator)]
    # A masked personal value is judged by the writer, which knows the stored value.
    maskable = personal.is_personal(ledger, name)

    def parse_text(v: Any) -> str:
        text = _code_text(v)
        if max_length and len(text) > max_length:
            raise CellError(f"过长（最多 {max_length} 个字符，实际 {len(text)} 个）")
        if maskable and personal.MASK in text:
            return text
        for validator in validators:
            try:
                validator(text)
            except Exception as exc:  # Django ValidationError carries the Chinese message
                messages = getattr(exc, "messages", [str(exc)])
                raise CellError("；".join(str(m) for m in messages)) from None
        return text

    code_like = is_code_like(ledger, name)
    return Column(
        name,
        header,
        required,
        parse_text,
        fmt_plain,
        hint="文本格式：按原样填写，不要改成数字格式" if code_like else "",
        number_format=TEXT_FORMAT,
        code_like=code_like,
        width=min(max(max_length or 0, 8), 40) + 2 if code_like else 0,
    )


def _number(value: Any, kind: str = "数字") -> Decimal:
    try:
        return bounds.to_decimal(value)
    except bounds.BoundsError as exc:
        raise CellError(str(exc).replace("应为数字", f"应为{kind}")) from None


def _check_bounds(n: Any, lo: Any, hi: Any) -> None:
    try:
        bounds.check_range(n, lo, hi)
    except bounds.BoundsError as exc:
        raise CellError(str(exc)) from None


def unit_label(unit: OrgUnit, parent_name: str | None = None) -> str:
    """How a template's drop-down and an export name a unit: its township (for a village)
    and name, with the code alongside, e.g. ``城关街道 幸福村（371399001001）``.
    ``parent_name`` saves the look-up of the parent ("": none known)."""
    from zhujian.core.models import VILLAGE_KINDS

    if parent_name is None:
        parent_name = unit.parent.name if unit.parent_id and unit.parent else ""
    village = unit.kind in VILLAGE_KINDS
    name = f"{parent_name} {unit.name}" if village and parent_name else unit.name
    return f"{name}（{unit.code}）"


def unit_labels(units: Iterable[OrgUnit]) -> dict[int, str]:
    """:func:`unit_label` of each of ``units`` (by pk), parents found among them."""
    by_pk = {u.pk: u for u in units}
    return {
        pk: unit_label(u, by_pk[u.parent_id].name if u.parent_id in by_pk else "")
        for pk, u in by_pk.items()
    }


# "名称（371399001001）" as the drop-down writes it, with ASCII or full-width brackets.
_LABELLED = re.compile(r"^(.*?)\s*[（(]\s*(\d{12})\s*[）)]$")


def org_unit_lookup(units: Any) -> dict[str, OrgUnit]:
    """Codes, drop-down labels, unique names and "乡镇/村" paths (also "乡镇 村" and
    "乡镇村") → unit, for the units a user may use."""
    table: dict[str, OrgUnit] = {}
    names: dict[str, list[OrgUnit]] = {}
    by_pk = {u.pk: u for u in units}
    for pk, label in unit_labels(by_pk.values()).items():
        table[label] = by_pk[pk]
    for unit in by_pk.values():
        table[unit.code] = unit
        names.setdefault(unit.name, []).append(unit)
        parent = by_pk.get(unit.parent_id)
        if parent is not None:
            for joint in ("/", " ", "", "／"):
                table.setdefault(f"{parent.name}{joint}{unit.name}", unit)
    for name, found in names.items():
        if len(found) == 1:
            table.setdefault(name, found[0])
    return table


def _org_unit_parser(org_units: dict[str, OrgUnit] | None) -> Callable[[Any], OrgUnit]:
    def parse(v: Any) -> OrgUnit:
        if org_units is None:
            raise CellError("无法解析单位")
        key = " ".join(_code_text(v).split())
        unit = org_units.get(key)
        if unit is None and (labelled := _LABELLED.match(key)):
            # "名称（代码）" written by hand: the code decides, the name must agree with it.
            named, code = labelled[1].strip(), labelled[2]
            unit = org_units.get(code)
            if unit is not None and named and not named.replace(" ", "").endswith(unit.name):
                raise CellError(f"单位名称“{named[:30]}”与代码 {code}（{unit.name}）不一致")
        if unit is None:
            raise CellError(
                "不是您管辖范围内的单位（请从下拉列表选择，或填写单位名称、12位区划代码）"
            )
        return unit

    return parse


def _related_column(f: models.ForeignKey, header: str, required: bool, user: User | None) -> Column:
    """A reference to another ledger's record by that ledger's single-field natural key,
    looked up only among the records ``user`` may see: a record outside the user's scope
    is "not found", with the same words as one that does not exist."""
    from zhujian.core.registry import registry

    target = registry.find(f.related_model)
    typed = codes.key_fields(target) if target else []
    key = typed[0] if len(typed) == 1 else "pk"
    # A code unique per township (core.codes) may be another township's too: a user who
    # sees several townships names the township, as "乡镇名称/编号".
    per_township = bool(target and target.township_codes)
    noun = f.related_model._meta.verbose_name
    cache: dict[str, Any] = {}

    def parse(v: Any) -> Any:
        text = _code_text(v)
        if text not in cache:
            obj = None
            if user is not None and len(text) <= 200:
                candidates = f.related_model._default_manager.all()
                if target is not None:
                    candidates = scope.restrict(candidates, user, "view")
                if key == "pk" and not text.isdigit():
                    candidates = candidates.none()
                found = list(candidates.filter(**{key: text})[:2])
                if not found and per_township and "/" in text:
                    township, _, code = text.partition("/")
                    found = list(
                        candidates.filter(**{key: code.strip(), "township__name": township})[:2]
                    )
                if len(found) > 1:
                    raise CellError(
                        f"{noun}“{text[:50]}”在多个乡镇都有，请写成“乡镇名称/{text[:50]}”"
                    )
                obj = found[0] if found else None
            if obj is None:
                raise CellError(f"找不到{noun}“{text[:50]}”（或不在您的管辖范围内）")
            cache[text] = obj
        return cache[text]

    def fmt(obj: Any) -> Any:
        return getattr(obj, key) if obj is not None else None

    return Column(
        f.name,
        header,
        required,
        parse,
        fmt,
        hint=f"填写{noun}的编号（文本格式）",
        number_format=TEXT_FORMAT,
        code_like=True,
        width=24,
    )
