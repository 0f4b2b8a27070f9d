"""Personal data (个人信息): masked for everyone except those who handle the record, and
every unmasked view recorded.

A ledger declares its personal fields and how each is masked::

    Ledger(..., personal=PersonalData({"phone": PHONE, "id_number": ID_NUMBER}))

Then, with no code in the ledger:

- list pages, figure drill-downs, related-record tables and the change history show the
  masked value (``138****5678``, ``3713**********1234``) to everybody;
- the record's page and its edit form show the full value only to a user who may change
  that record (its unit is in the user's scope and the user edits the ledger's line, or
  one of ``PersonalData.lines``); everybody else sees the mask;
- the API returns masked values; ``?unmask=1`` returns full values of the records the
  requesting user may change (a user who may change none gets 403);
- Excel exports are masked; ``?unmask=1`` (web) or ``--unmask`` (CLI) exports the full
  values of the records the user may change;
- each full value shown (page, edit form, API, export) is written to
  :class:`~zhujian.core.models.PersonalDataAccess`: who, when, which ledger, record and
  field, from which page or channel — readable by administrators in ``/admin/``;
- a masked value sent back unchanged (an API client that PUTs what it read, an exported
  file imported again) leaves the stored value as it was, so masking never destroys data.

Personal fields may not be searched, filtered, sorted on or be part of a natural key: a
search for a phone number would tell whoever asked that it is there.

Phone, ID and bank-card numbers are stored encrypted with SM4 (their model fields are
:class:`~zhujian.core.crypto.EncryptedCharField`; the declaration refuses a plain one).
An ID or card number with a keyed index beside it is found by the list's search box when
typed whole (exact match through the index, within the user's scope).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import mul
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models

if TYPE_CHECKING:
    from django.http import HttpRequest

    from zhujian.core.models import User
    from zhujian.core.registry import Ledger

MASK = "*"


def mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    """Replace all but the first ``keep_start`` and last ``keep_end`` characters by ``*``;
    a value too short to keep both is masked whole but for its last character."""
    text = str(value).strip()
    if not text:
        return ""
    if len(text) <= keep_start + keep_end:
        return MASK * (len(text) - 1) + text[-1:] if len(text) > 1 else MASK
    return text[:keep_start] + MASK * (len(text) - keep_start - keep_end) + text[-keep_end:]


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``; ``0539-8123456`` → ``053*****3456``."""
    return mask_middle(value, 3, 4)


def mask_id_number(value: str) -> str:
    """``371312198001011234`` → ``3713**********1234`` (居民身份证号)."""
    return mask_middle(value, 4, 4)


def mask_bank_card(value: str) -> str:
    """``6222021234567890123`` → ``6222***********0123`` (银行卡号)."""
    return mask_middle(value.replace(" ", ""), 4, 4)


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    mask: Callable[[str], str]


PHONE = Kind("phone", "电话号码", mask_phone)
ID_NUMBER = Kind("id_number", "身份证号", mask_id_number)
BANK_CARD = Kind("bank_card", "银行卡号", mask_bank_card)


def mask_secret(value: str) -> str:
    """A shared secret (a device's access password) is masked whole, its length hidden."""
    return MASK * 6 if str(value).strip() else ""


#: Kinds stored encrypted at rest (GB/T 39786: 重要数据存储机密性).
ENCRYPTED_KINDS = (PHONE, ID_NUMBER, BANK_CARD)

#: Not personal data, but a credential handled the same way: shown only to those who
#: edit the record, every full view recorded.
SECRET = Kind("secret", "访问密码", mask_secret)


@dataclass(frozen=True)
class PersonalData:
    """A ledger's personal fields (name → :class:`Kind`) and the business lines, besides the
    ledger's own, whose editors may see them unmasked."""

    fields: Mapping[str, Kind]
    lines: Sequence[str] = ()

    def __contains__(self, name: object) -> bool:
        return name in self.fields


class Source(models.TextChoices):
    PAGE = "page", "记录详情页"
    EDIT = "edit", "编辑页"
    API = "api", "接口"
    EXPORT = "export", "Excel导出"
    CLI = "cli", "命令行导出"


@dataclass
class Viewer:
    """Who is looking and from where (for the access record)."""

    user: User
    source: str
    path: str = ""
    ip: str | None = None
    request: HttpRequest | None = None  # the response is marked no-store when values show


def no_store(request: HttpRequest) -> None:
    """Mark ``request``'s response ``Cache-Control: no-store``: it shows a full personal
    value or a secret (a one-time token), which no browser or proxy cache may keep
    (``zhujian.web.middleware.NoStoreMiddleware`` sets the header)."""
    # a REST framework request wraps Django's: mark the one the middleware sees
    getattr(request, "_request", request).zhujian_no_store = True


def wants_no_store(request: HttpRequest) -> bool:
    return bool(getattr(request, "zhujian_no_store", False))


def declared(ledger: Ledger) -> PersonalData | None:
    return getattr(ledger, "personal", None)


def personal_fields(ledger: Ledger) -> Mapping[str, Kind]:
    spec = declared(ledger)
    return spec.fields if spec else {}


def is_personal(ledger: Ledger, name: str) -> bool:
    return name in personal_fields(ledger)


def mask(ledger: Ledger, name: str, value: Any) -> Any:
    """The masked form of ``value`` when ``name`` is a personal field of ``ledger``."""
    kind = personal_fields(ledger).get(name)
    if kind is None or value in (None, ""):
        return value
    return kind.mask(str(value))


def check_declaration(ledger: Ledger) -> None:
    """Fail at start-up when a personal field is searchable, filterable, sortable or a key."""
    spec = declared(ledger)
    if spec is None:
        return
    from zhujian.core import lines

    for line in spec.lines:
        lines.get_line(line)
    from zhujian.core.crypto import EncryptedCharField

    for name, kind in spec.fields.items():
        f = ledger.field(name)
        if not isinstance(f, models.CharField):
            raise ValueError(f"{ledger.name}.{name}: a personal field must be a CharField")
        if not isinstance(kind, Kind):
            raise ValueError(f"{ledger.name}.{name}: use personal.PHONE/ID_NUMBER/BANK_CARD")
        if kind in ENCRYPTED_KINDS and not isinstance(f, EncryptedCharField):
            raise ValueError(
                f"{ledger.name}.{name}: a {kind.code} must be an EncryptedCharField (SM4 at rest)"
            )
    used = {
        "search": [s.split("__")[0] for s in ledger.search],
        "filters": [s.split("__")[0] for s in ledger.filters],
        "natural_key": list(ledger.natural_key),
        "ordering": [s.lstrip("-").split("__")[0] for s in ledger.ordering],
    }
    for where, names in used.items():
        leaked = [n for n in names if n in spec.fields]
        if leaked:
            raise ValueError(f"{ledger.name}: personal field(s) {leaked} may not be in {where}")


def reaches_personal(model: type[models.Model], path: str) -> bool:
    """Whether the field path ``path`` (``worker__id_number``, ``-payee_card``) ends on, or
    passes through, a personal field of any ledger. Sorting, filtering or searching by such
    a path tells whoever asks the order or presence of values they only see masked."""
    from django.core.exceptions import FieldDoesNotExist

    from zhujian.core.registry import registry

    for part in path.lstrip("-").split("__"):
        ledger = registry.find(model)
        if ledger is not None and is_personal(ledger, part):
            return True
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a lookup (``__gte``) or no field: nothing further to reach
        if not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
    return False


def sortable(ledger: Ledger, path: str) -> bool:
    """Whether a list may be sorted by ``path``: never by a personal field, of this ledger
    or of a record it links to (lists show those masked to everybody)."""
    return not reaches_personal(ledger.model, path)


def indexed_fields(ledger: Ledger) -> list[str]:
    """The ledger's personal fields searchable by exact value (an index beside them)."""
    return [
        name for name in personal_fields(ledger) if getattr(ledger.field(name), "index_name", None)
    ]


def revealing_lines(ledger: Ledger) -> set[str]:
    spec = declared(ledger)
    return {ledger.line, *(spec.lines if spec else ())}


def record(
    viewer: Viewer, ledger: Ledger, objs: Iterable[models.Model], names: Iterable[str] | None = None
) -> int:
    """Write one access row per record and personal field whose full value was shown
    (empty values are not personal data and are not recorded). Returns the rows written."""
    from zhujian.core.models import PersonalDataAccess

    fields = personal_fields(ledger)
    wanted = [n for n in (names if names is not None else fields) if n in fields]
    rows = []
    for obj in objs:
        for name in wanted:
            if getattr(obj, name, "") in (None, ""):
                continue
            rows.append(
                PersonalDataAccess(
                    user=viewer.user,
                    username=viewer.user.get_username(),
                    ledger=ledger.name,
                    record_id=obj.pk,
                    field=name,
                    field_label=str(ledger.field(name).verbose_name),
                    source=viewer.source,
                    path=viewer.path[:300],
                    ip=viewer.ip,
                )
            )
    PersonalDataAccess.objects.bulk_create(rows, batch_size=2000)
    if rows and viewer.request is not None:
        no_store(viewer.request)
    if rows:  # one security-audit event per view, naming the record when it is one
        from zhujian.core import audit

        records = {r.record_id for r in rows}
        labels = "、".join(dict.fromkeys(r.field_label for r in rows))
        where = Source(viewer.source).label if viewer.source in Source.values else viewer.source
        audit.record(
            audit.Kind.PERSONAL_VIEW,
            f"查看{ledger.label} {len(records)} 条记录的完整{labels}（{where}）",
            user=viewer.user,
            ip=viewer.ip,
            ledger=ledger.name,
            record_id=next(iter(records)) if len(records) == 1 else None,
        )
    return len(rows)


def viewer_for(request: HttpRequest, source: str) -> Viewer:
    """The access-record details of a web or API request."""
    ip = request.META.get("REMOTE_ADDR") or None
    return Viewer(request.user, source, request.get_full_path(), ip, request)  # type: ignore[arg-type]


def restore_masked(ledger: Ledger, current: models.Model | None, values: dict[str, Any]) -> None:
    """Where a personal field's new value is exactly the mask of the stored one (a client
    sent back what it was shown), keep the stored value."""
    if current is None:
        return
    for name in personal_fields(ledger):
        value = values.get(name)
        if not isinstance(value, str) or MASK not in value:
            continue  # not a mask: nothing to restore (and no mask to compute)
        stored = getattr(current, name, None)
        if stored not in (None, "") and values[name] == mask(ledger, name, stored):
            values[name] = stored


MASKED_REFUSED = "不能填写脱敏后的号码（含 * 号）：请填写完整号码，或保留导出时该记录的原值"


def masked_values(ledger: Ledger, values: Mapping[str, Any]) -> list[str]:
    """The personal fields of ``values`` that hold a masked (``*``) value."""
    return [
        name
        for name in personal_fields(ledger)
        if isinstance(values.get(name), str) and MASK in values[name]
    ]


def restore_masked_data(ledger: Ledger, current: models.Model | None, data: Any) -> Any:
    """:func:`restore_masked` on a request's data (a copy, when something changes)."""
    if current is None or not personal_fields(ledger) or not hasattr(data, "keys"):
        return data
    values = {name: data[name] for name in personal_fields(ledger) if name in data}
    restored = dict(values)
    restore_masked(ledger, current, restored)
    if restored == values:
        return data
    data = data.copy()
    data.update(restored)
    return data


def wants_unmask(params: Mapping[str, Any]) -> bool:
    return str(params.get("unmask", "")).lower() in {"1", "true", "yes", "on"}


# --- validators for the usual personal fields (full values only: a mask is refused) ------

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,5})?$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def validate_phone(value: str) -> None:
    """An 11-digit mobile number or a landline with its area code (0539-8123456)."""
    text = str(value).strip()
    if MASK in text:
        raise ValidationError("请填写完整的电话号码，不能填写脱敏后的号码（含 * 号）")
    if not (_MOBILE.match(text) or _LANDLINE.match(text)):
        raise ValidationError(
            "电话号码格式不正确：应为11位手机号，或带区号的固定电话如 0539-8123456"
        )


def id_number_problem(value: str) -> str | None:
    """Why ``value`` is not a valid 18-character 居民身份证号 (None when it is)."""
    text = str(value).strip().upper()
    if MASK in text:
        return "请填写完整的身份证号，不能填写脱敏后的号码（含 * 号）"
    if len(text) != 18 or not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        return "身份证号应为18位（前17位为数字，最后一位为数字或X）"
    try:
        dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return "身份证号中的出生日期无效"
    if id_check_digit(text[:17]) != text[17]:
        return "身份证号校验位不正确，请核对"
    return None


#: A model field whose verbose name ends so keeps only the masked ID number (the ledgers
#: that must not hold the full one). The clerk types the full number from the card; the
#: form masks it (:func:`mask_on_entry`) and the full number is never stored.
MASKED_ON_ENTRY_MARK = "（脱敏）"
MASKED_ON_ENTRY_HELP = "照证件填写完整的18位身份证号即可，系统核对后只保存脱敏号码（前4位和后4位）"


def masked_on_entry(field: models.Field) -> bool:
    return isinstance(field, models.CharField) and str(field.verbose_name).endswith(
        MASKED_ON_ENTRY_MARK
    )


def mask_on_entry(value: str | None) -> str:
    """What a masked-only ID field keeps of what the clerk typed: a full, valid number
    becomes its mask; a mask typed by hand stays; anything else is refused."""
    text = normalise_id_number(value)
    if not text:
        return ""
    if MASK in text:
        return text  # already masked (an old habit, or a re-imported export)
    if problem := id_number_problem(text):
        raise ValidationError(problem)
    return mask_id_number(text)


def validate_id_number(value: str) -> None:
    problem = id_number_problem(value)
    if problem:
        raise ValidationError(problem)


def normalise_id_number(value: str | None) -> str:
    """One way of writing one person's ID number: no spaces, the check character ``X`` in
    upper case (``…123x`` and ``…123X`` are one person; call from ``derive()``, which every
    write path runs)."""
    return "".join(str(value or "").split()).upper()


def birth_date(id_number: str | None) -> dt.date | None:
    """The date of birth an 18-character ID number carries (digits 7–14); None if none."""
    text = normalise_id_number(id_number)
    if len(text) != 18 or not text[6:14].isdigit():
        return None
    try:
        return dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None


def age_on(id_number: str | None, day: dt.date) -> int | None:
    """Full years of age on ``day`` of the person with ``id_number`` (None: unknown)."""
    born = birth_date(id_number)
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def id_check_digit(first17: str) -> str:
    """The check character of an ID number's first 17 digits (for test and demo data)."""
    return _ID_CHECK[sum(map(mul, map(int, first17), _ID_WEIGHTS)) % 11]


_BANK_CARD = re.compile(r"^\d{12,19}$")


def validate_bank_card(value: str) -> None:
    """A bank card or account number: 12 to 19 digits (spaces allowed between groups)."""
    text = str(value).replace(" ", "").strip()
    if MASK in text:
        raise ValidationError("请填写完整的银行卡号，不能填写脱敏后的号码（含 * 号）")
    if not _BANK_CARD.match(text):
        raise ValidationError("银行卡号应为12—19位数字")
