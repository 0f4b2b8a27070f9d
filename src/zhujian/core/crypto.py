"""Personal numbers encrypted at rest with SM4-GCM, found by a keyed SM3 index (GB/T 39786).

A model declares its ID, bank-card and phone numbers as :class:`EncryptedCharField`, and
each number searched by exact value gets a :class:`BlindIndexField` beside it::

    id_number = EncryptedCharField("身份证号", max_length=18, validators=[...])
    id_number_index = BlindIndexField(of="id_number")

The column then holds ``ZJ1$<key id>$<base64(nonce ‖ ciphertext ‖ tag)>``: SM4 in GCM
mode (authenticated; the key id is authenticated data), a fresh 96-bit nonce per value.
In Python the field is the plain number, so forms, the API, imports, exports, masking
and the record's history work unchanged. The index column holds HMAC-SM3 of the
normalised number under a key derived from the data key; ``filter(id_number=x)`` and
``filter(id_number__in=[…])`` are answered from it (every key of the ring is tried, so
search keeps working halfway through a rotation). Other look-ups on an encrypted field
(``contains``, ordering by value) are refused: ciphertext has no order.

Keys never live in the database. ``ZHUJIAN_DATA_KEYS`` (environment) or the file named
by ``ZHUJIAN_DATA_KEY_FILE`` lists ``<id>:<64 hex digits>`` entries, one per line or
comma-separated; **the first is current** (new values are written under it), the others
only decrypt. ``zhujian keys generate`` makes a new entry and ``zhujian keys rotate``
re-encrypts every value (records and their history) still under an older key.
"""

from __future__ import annotations

import base64
import hmac
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, FieldError, ImproperlyConfigured
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.query_utils import DeferredAttribute

PREFIX = "ZJ1$"
#: The development key ring settings use when debug is on and no key is configured. It is
#: public: ``zhujian check --deploy`` refuses it, and production settings never fall back
#: to it.
DEVELOPMENT_KEYS = "dev:" + "00" * 32
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
_NONCE = 12
_TAG = 16


@dataclass(frozen=True)
class DataKey:
    id: str
    sm4: bytes  # 16 bytes: SM4's key size
    index: bytes  # 32 bytes: the HMAC-SM3 key of the blind index

    @cached_property
    def cipher(self) -> algorithms.SM4:
        return algorithms.SM4(self.sm4)


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[DataKey, ...]

    @property
    def current(self) -> DataKey:
        return self.keys[0]

    def get(self, key_id: str) -> DataKey:
        for key in self.keys:
            if key.id == key_id:
                return key
        raise ImproperlyConfigured(
            f"数据加密密钥“{key_id}”不在密钥配置中（ZHUJIAN_DATA_KEYS / ZHUJIAN_DATA_KEY_FILE）"
        )


def _derive(master: bytes, label: bytes, size: int) -> bytes:
    """A sub-key of ``master`` for one purpose (HMAC-SM3 as a KDF, one block)."""
    return hmac.new(master, b"zhujian-data-key/" + label, "sm3").digest()[:size]


def parse_keys(text: str) -> KeyRing:
    """``id:hex`` entries separated by commas or lines (``#`` starts a comment)."""
    keys: list[DataKey] = []
    for raw in re.split(r"[,\n]", text):
        entry = raw.split("#", 1)[0].strip()
        if not entry:
            continue
        key_id, sep, hexkey = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                f"数据加密密钥格式应为“编号:64位十六进制”，而不是“{key_id}:…”"
            )
        try:
            master = bytes.fromhex(hexkey.strip())
        except ValueError as exc:
            raise ImproperlyConfigured(f"数据加密密钥“{key_id}”不是十六进制") from exc
        if len(master) != 32:
            raise ImproperlyConfigured(f"数据加密密钥“{key_id}”应为32字节（64位十六进制）")
        if any(k.id == key_id for k in keys):
            raise ImproperlyConfigured(f"数据加密密钥编号“{key_id}”重复")
        keys.append(DataKey(key_id, _derive(master, b"sm4", 16), _derive(master, b"index", 32)))
    if not keys:
        raise ImproperlyConfigured(
            "没有配置数据加密密钥（ZHUJIAN_DATA_KEYS 或 ZHUJIAN_DATA_KEY_FILE）"
        )
    return KeyRing(tuple(keys))


def configured_keys() -> str:
    """The key ring's text, read at call time: the ``ZHUJIAN_DATA_KEYS`` setting, else the
    key file it names."""
    text = settings.ZHUJIAN_DATA_KEYS
    path = settings.ZHUJIAN_DATA_KEY_FILE
    if not text and path:
        try:
            text = _key_file(path, os.stat(path).st_mtime_ns)
        except OSError as exc:
            raise ImproperlyConfigured(f"无法读取数据加密密钥文件 {path}：{exc.strerror}") from exc
    if not text:
        raise ImproperlyConfigured(
            "生产环境必须配置数据加密密钥（ZHUJIAN_DATA_KEYS 或 ZHUJIAN_DATA_KEY_FILE）"
        )
    return text


@lru_cache(maxsize=4)
def _key_file(path: str, mtime_ns: int) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def keyring() -> KeyRing:
    return _ring(configured_keys())


@lru_cache(maxsize=8)
def _ring(text: str) -> KeyRing:
    return parse_keys(text)


def generate_key(key_id: str) -> str:
    """A new ``id:hex`` entry (32 random bytes from the operating system)."""
    if not _KEY_ID.match(key_id):
        raise ValueError("密钥编号只能由字母、数字、- 和 _ 组成，最长16个字符")
    return f"{key_id}:{os.urandom(32).hex()}"


# --- values -----------------------------------------------------------------------------


def is_ciphertext(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def key_id_of(token: str) -> str:
    return token[len(PREFIX) :].split("$", 1)[0]


def encrypt(text: str, key: DataKey | None = None) -> str:
    """``text`` under ``key`` (default: the current key) as a column value."""
    key = key or keyring().current
    nonce = os.urandom(_NONCE)
    enc = Cipher(key.cipher, modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(key.id.encode())
    body = enc.update(text.encode("utf-8")) + enc.finalize()
    blob = base64.b64encode(nonce + body + enc.tag).decode("ascii")
    return f"{PREFIX}{key.id}${blob}"


def decrypt(token: str, ring: KeyRing | None = None) -> str:
    """The number behind a column value; plaintext (not yet migrated) passes through."""
    if not is_ciphertext(token):
        return token
    key_id, _, blob = token[len(PREFIX) :].partition("$")
    key = (ring or keyring()).get(key_id)
    raw = base64.b64decode(blob)
    nonce, body, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
    dec = Cipher(key.cipher, modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(key_id.encode())
    try:
        return (dec.update(body) + dec.finalize()).decode("utf-8")
    except InvalidTag as exc:
        raise ValueError(f"个人信息密文校验失败（密钥 {key_id}）：数据被改动或密钥不符") from exc


def normalise(text: str) -> str:
    """The form a number is indexed in: no spaces, upper case (身份证号 ``x`` → ``X``)."""
    return "".join(str(text).split()).upper()


def blind_index(text: str | None, key: DataKey | None = None) -> str:
    """HMAC-SM3 of the normalised number (hex); an empty value indexes as empty."""
    if text in (None, ""):
        return ""
    key = key or keyring().current
    return hmac.new(key.index, normalise(text).encode("utf-8"), "sm3").hexdigest()


def index_candidates(text: str) -> list[str]:
    """The index values ``text`` may be stored under, one per key of the ring."""
    return list(dict.fromkeys(blind_index(text, key) for key in keyring().keys))


# --- fields -----------------------------------------------------------------------------


class EncryptedCharField(models.CharField):
    """A personal number stored SM4-GCM-encrypted (see the module's docstring).

    ``max_length`` bounds the number as typed; the column itself is text."""

    encrypted = True
    description = "SM4 加密保存的字符串"

    def db_type(self, connection: Any) -> str | None:
        return connection.data_types["TextField"] % {}

    def cast_db_type(self, connection: Any) -> str | None:
        return self.db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return decrypt(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, "") or is_ciphertext(value):
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name in ("exact", "iexact"):
            return IndexExact
        if lookup_name == "in":
            return IndexIn
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return _Refused

    def get_transform(self, lookup_name: str) -> Any:
        return None


class _IndexAttribute(DeferredAttribute):
    """A blind index reads as the index of its number as the number is now, so every path
    that writes the record (``save``, ``bulk_create``, ``bulk_update``, the import
    engine's ``COPY``) writes an index that matches the number, whatever was assigned."""

    def __init__(self, field: BlindIndexField, source_attname: str) -> None:
        super().__init__(field)
        self.source_attname = source_attname
        self.cache_name = f"_{field.attname}_of"

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        data = instance.__dict__
        if self.source_attname not in data:  # the number is deferred: the stored index
            return super().__get__(instance, cls)
        source = data[self.source_attname]
        cached = data.get(self.cache_name)
        if cached is None or cached[0] != source:
            cached = data[self.cache_name] = (source, blind_index(source))
        return cached[1]

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value  # the stored index, for deferred numbers


class BlindIndexField(models.CharField):
    """HMAC-SM3 of an :class:`EncryptedCharField` (``of``): exact-match search without
    decrypting, and uniqueness (put this field in a ``UniqueConstraint``)."""

    def __init__(self, *args: Any, of: str = "", **kwargs: Any) -> None:
        self.of = of
        kwargs.setdefault("verbose_name", "检索索引")
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["of"] = self.of
        for key, default in (("max_length", 64), ("editable", False), ("blank", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        kwargs.pop("verbose_name", None)
        return name, path, args, kwargs

    def contribute_to_class(self, cls: type[models.Model], name: str, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, **kwargs)
        source = next((f for f in cls._meta.local_fields if f.name == self.of), None)
        if not isinstance(source, EncryptedCharField):
            raise FieldError(f"{cls.__name__}.{name}: of={self.of!r} 须为其前声明的加密字段")
        source.index_name = name
        setattr(cls, self.attname, _IndexAttribute(self, source.attname))


def index_field(field: models.Field) -> models.Field | None:
    """The blind index beside an encrypted field, if it has one."""
    name = getattr(field, "index_name", None)
    return field.model._meta.get_field(name) if name else None


def indexes_of(model: type[models.Model], names: Iterable[str]) -> list[str]:
    """The blind indexes to write beside the fields ``names`` (for ``bulk_update``)."""
    out = []
    for name in names:
        try:
            f = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if getattr(f, "index_name", None):
            out.append(f.index_name)
    return out


class _IndexLookup(Lookup):
    """``= number`` / ``IN (numbers)`` on an encrypted field, answered by its index; an
    empty value (stored as itself, not encrypted) compares with the column."""

    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs = self.lhs
        if not isinstance(lhs, Col):
            raise FieldError("加密字段只能按完整号码检索")
        given = self.rhs if self.lookup_name == "in" else [self.rhs]
        numbers = [str(v) for v in given if v not in (None, "")]
        parts: list[str] = []
        params: list[Any] = []
        if len(numbers) < len(given):
            sql, col_params = compiler.compile(lhs)
            parts.append(f"{sql} = %s")
            params += [*col_params, ""]
        if numbers:
            index = index_field(lhs.target)
            if index is None:
                raise FieldError(
                    f"“{lhs.target.verbose_name}”加密保存且没有检索索引，不能按号码检索"
                )
            sql, col_params = compiler.compile(Col(lhs.alias, index))
            values = list(dict.fromkeys(c for n in numbers for c in index_candidates(n)))
            parts.append(f"{sql} IN ({', '.join(['%s'] * len(values))})")
            params += [*col_params, *values]
        if not parts:
            return "1 = 0", []
        return "(" + " OR ".join(parts) + ")", params


class IndexExact(_IndexLookup):
    lookup_name = "exact"


class IndexIn(_IndexLookup):
    lookup_name = "in"


class _Refused(Lookup):
    lookup_name = "refused"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        raise FieldError("加密保存的个人信息只能按完整号码检索")


# --- the encrypted columns of the database ---------------------------------------------


def encrypted_fields(model: type[models.Model]) -> list[EncryptedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


def encrypted_models(models_: Iterable[type[models.Model]]) -> Iterator[type[models.Model]]:
    for model in models_:
        if not model._meta.proxy and model._meta.managed and encrypted_fields(model):
            yield model


def reencrypt_table(
    connection: Any,
    table: str,
    pk_column: str,
    columns: Sequence[tuple[str, str | None]],
    *,
    only_stale: bool = True,
    batch: int = 2000,
) -> int:
    """Encrypt (or re-encrypt under the current key) the values of ``columns`` — pairs of
    (encrypted column, its index column or None) — of ``table``, and rewrite their indexes.
    Plaintext values (data written before encryption) are encrypted; with ``only_stale``
    a value already under the current key is left alone, so running it again does nothing.
    Returns the rows rewritten."""
    q = connection.ops.quote_name
    names = [c for c, _ in columns]
    select = f"SELECT {q(pk_column)}, {', '.join(q(c) for c in names)} FROM {q(table)}"
    assign = []
    for column, index in columns:
        assign.append(f"{q(column)} = %s")
        if index:
            assign.append(f"{q(index)} = %s")
    update = f"UPDATE {q(table)} SET {', '.join(assign)} WHERE {q(pk_column)} = %s"
    ring: KeyRing | None = None  # read at the first row: an empty table needs no key
    done = 0
    last: Any = None
    while True:
        with connection.cursor() as cursor:
            where = f" WHERE {q(pk_column)} > %s" if last is not None else ""
            cursor.execute(
                f"{select}{where} ORDER BY {q(pk_column)} LIMIT {batch}",
                [last] if last is not None else [],
            )
            rows = cursor.fetchall()
        if not rows:
            return done
        last = rows[-1][0]
        if ring is None:
            ring = keyring()
            current = ring.current
            fresh = f"{PREFIX}{current.id}$"
        params = []
        for pk, *values in rows:
            if only_stale and all(v in (None, "") or str(v).startswith(fresh) for v in values):
                continue
            row: list[Any] = []
            for value, (_, index) in zip(values, columns, strict=True):
                plain = decrypt(value, ring) if isinstance(value, str) else value
                row.append(encrypt(plain, current) if plain not in (None, "") else plain)
                if index:
                    row.append(blind_index(plain, current))
            params.append([*row, pk])
        if params:
            with connection.cursor() as cursor:
                cursor.executemany(update, params)
            done += len(params)


def reencrypt_model(model: type[models.Model], connection: Any, *, only_stale: bool = True) -> int:
    """:func:`reencrypt_table` over every encrypted field of ``model``."""
    opts = model._meta
    columns = []
    for f in encrypted_fields(model):
        index = next(
            (g for g in opts.concrete_fields if isinstance(g, BlindIndexField) and g.of == f.name),
            None,
        )
        columns.append((f.column, index.column if index else None))
    return reencrypt_table(
        connection, opts.db_table, opts.pk.column, columns, only_stale=only_stale
    )


def encrypt_existing(model_labels: Sequence[str]) -> Any:
    """A ``RunPython`` function encrypting and indexing every existing row of the models
    (and their history models) named ``app_label.ModelName``; running it again changes
    nothing."""

    def run(apps: Any, schema_editor: Any) -> None:
        for label in model_labels:
            reencrypt_model(apps.get_model(label), schema_editor.connection)

    return run


def key_usage(connection: Any, model: type[models.Model]) -> dict[str, int]:
    """How many values of ``model`` are stored under each key id (``明文`` for plaintext)."""
    q = connection.ops.quote_name
    counts: dict[str, int] = {}
    table = q(model._meta.db_table)
    for f in encrypted_fields(model):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {q(f.column)} FROM {table} WHERE {q(f.column)} <> ''")
            for (value,) in cursor.fetchall():
                kid = key_id_of(value) if is_ciphertext(value) else "明文"
                counts[kid] = counts.get(kid, 0) + 1
    return counts
