"""Declared parameters: the legal and local numbers a county may need to change.

Each domain declares its own in its ``conf.py`` / ``rules.py`` (core never imports a
domain), one line each::

    NOTICE_DAYS = params.declare("信访", "PETITION_NOTICE_DAYS", "受理告知期限", 15,
                                 unit="日", source="信访工作条例 第二十三条", min=1, max=90)

and reads it at call time with ``NOTICE_DAYS.get()`` (or ``params.get(key)``). A value is
resolved, first found wins:

1. a value staff set on the 参数设置 page (:class:`~zhujian.core.models.ParamValue`, with
   history: who, when, why);
2. the Django setting ``ZHUJIAN_<KEY>`` (tests change it with the ``settings`` fixture);
3. the environment variable ``ZHUJIAN_<KEY>`` (a number, or JSON for a table);
4. the declared default.

Every value, whatever its origin, passes the declaration's checks (type, bounds, the
parts of a table), and a value that fails them is refused with a Chinese message naming
the parameter. Overrides are cached per process (:mod:`zhujian.core.cached`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings

from zhujian.core.cached import StampedCache, before_migrations

KINDS = {int: "整数", Decimal: "数值", float: "数值", str: "文字"}


class ParamError(ValueError):
    """A value a parameter does not accept (the message is Chinese)."""


@dataclass(frozen=True)
class Param:
    """One declared parameter. ``parts`` makes it a table: part code → Chinese label, each
    part a value of ``kind`` within the bounds (``"a.b"`` codes are nested tables)."""

    group: str
    key: str
    label: str
    default: Any
    kind: type = int
    unit: str = ""
    source: str = ""
    min: Any = None
    max: Any = None
    parts: Mapping[str, str] = field(default_factory=dict)
    pattern: str = ""  # for text values: a regular expression it must match in full
    regex: bool = False  # the text value is itself a regular expression
    help: str = ""

    @property
    def setting(self) -> str:
        return f"ZHUJIAN_{self.key}"

    def get(self) -> Any:
        return get(self.key)

    # --- checking ----------------------------------------------------------------------

    def _scalar(self, raw: Any, where: str) -> Any:
        name = f"“{self.label}”{where}"
        if self.kind is str:
            text = str(raw).strip()
            if self.pattern:
                import re

                try:
                    re.compile(self.pattern)
                    ok = re.fullmatch(self.pattern, text) is not None
                except re.error:
                    ok = False
                if not ok:
                    raise ParamError(f"{name}的取值“{text}”格式不对")
            if not text or len(text) > 200:
                raise ParamError(f"{name}不能为空，且不超过 200 个字")
            if self.regex:
                import re

                try:
                    re.compile(text)
                except re.error as exc:
                    raise ParamError(f"{name}“{text}”不是有效的正则表达式（{exc}）") from None
            return text
        if isinstance(raw, bool):
            raise ParamError(f"{name}应为{KINDS[self.kind]}")
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            raise ParamError(f"{name}应为{KINDS[self.kind]}，“{raw}”不是") from None
        if not number.is_finite() or abs(number) > 10**12:
            raise ParamError(f"{name}的取值“{raw}”超出范围")
        if self.kind is int:
            if number != number.to_integral_value():
                raise ParamError(f"{name}应为整数，“{raw}”不是")
            value: Any = int(number)
        elif self.kind is float:
            value = float(number)
        else:
            value = number
        unit = self.unit
        if self.min is not None and value < self.min:
            raise ParamError(f"{name}不能小于 {self.min}{unit}（填写的是 {raw}{unit}）")
        if self.max is not None and value > self.max:
            raise ParamError(f"{name}不能大于 {self.max}{unit}（填写的是 {raw}{unit}）")
        return value

    def clean(self, raw: Any) -> Any:
        """``raw`` as this parameter's value, or :class:`ParamError`."""
        if not self.parts:
            return self._scalar(raw, "")
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise ParamError(f"“{self.label}”应为一张表（JSON），无法读取") from None
        flat = _flatten(raw) if isinstance(raw, Mapping) else None
        if flat is None:
            raise ParamError(f"“{self.label}”应为一张表")
        unknown = sorted(set(flat) - set(self.parts))
        if unknown:
            raise ParamError(f"“{self.label}”没有这些项：{'、'.join(unknown)}")
        out = dict(_flatten(self.default))
        for code, value in flat.items():
            out[code] = self._scalar(value, f"的“{self.parts[code]}”")
        return out

    def resolved(self) -> tuple[Any, str]:
        """The value in force and where it comes from (数据库 / 配置 / 环境变量 / 默认)."""
        stored = _overrides.get()
        if self.key in stored:
            return self.clean(stored[self.key]), "参数设置"
        if hasattr(settings, self.setting):
            return self.clean(getattr(settings, self.setting)), "配置"
        env = os.environ.get(self.setting, "").strip()
        if env:
            return self.clean(env), "环境变量"
        return self.clean(self.default), "默认"

    def show(self, value: Any) -> str:
        """A value as people read it (tables as “标签 值” pairs)."""
        if not self.parts:
            return f"{value}{self.unit}"
        shown = [
            f"{label} {value[code]}{self.unit}"
            for code, label in self.parts.items()
            if value.get(code) not in (None, "")
        ]
        return "；".join(shown) or "（未设定）"


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for code, value in table.items():
        if isinstance(value, Mapping):
            out.update(_flatten(value, f"{prefix}{code}."))
        else:
            out[f"{prefix}{code}"] = value
    return out


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"a.b": 1}`` → ``{"a": {"b": 1}}`` (the shape a nested table's readers use)."""
    out: dict[str, Any] = {}
    for code, value in flat.items():
        node = out
        *path, last = code.split(".")
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return out


REGISTRY: dict[str, Param] = {}


def declare(group: str, key: str, label: str, default: Any, **options: Any) -> Param:
    """Declare a parameter (once, at import of the declaring module) and return it."""
    param = Param(group, key, label, default, **options)
    known = REGISTRY.get(key)
    if known is not None and known != param:
        raise ValueError(f"parameter {key} declared twice, differently")
    param.clean(default)  # a default that fails its own checks is a programming error
    REGISTRY[key] = param
    return param


def get(key: str) -> Any:
    """The value in force of the declared parameter ``key``."""
    return REGISTRY[key].resolved()[0]


def all_params() -> list[Param]:
    """Every declared parameter, by group then key (the domains' modules imported)."""
    _import_declarations()
    return sorted(REGISTRY.values(), key=lambda p: (p.group, p.key))


def markdown_table() -> str:
    """The README's list of parameters, made from the declarations (``zhujian params --markdown``)."""
    lines = [
        "| parameter (setting / environment) | 参数 | default | bounds | source |",
        "|---|---|---|---|---|",
    ]
    for p in all_params():
        default = p.show(p.clean(p.default)).replace("|", "\\|")
        bounds = (
            ""
            if p.min is None and p.max is None
            else f"{p.min if p.min is not None else ''}–{p.max if p.max is not None else ''}"
        )
        lines.append(
            f"| `{p.setting}` | {p.group}：{p.label} | {default} | {bounds} | {p.source} |"
        )
    return "\n".join(lines) + "\n"


def _import_declarations() -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("conf")
    autodiscover_modules("rules")


def _load_overrides() -> dict[str, Any]:
    from zhujian.core.models import ParamValue

    return dict(ParamValue.objects.values_list("key", "value"))


def _stamp() -> Any:
    from django.db.models import Max

    from zhujian.core.models import ParamValue

    return ParamValue.history.aggregate(Max("history_id"))["history_id__max"]


_overrides = StampedCache(before_migrations(_load_overrides, {}), before_migrations(_stamp, None))


def stored_keys() -> set[str]:
    """The keys with a value set on the 参数设置 page."""
    return set(_overrides.get())


def invalidate() -> None:
    _overrides.invalidate()


def set_value(key: str, raw: Any, *, user: Any, reason: str) -> Any:
    """Store a value for ``key`` from the 参数设置 page (checked; history records the reason)."""
    from zhujian.core.models import ParamValue

    param = REGISTRY[key]
    value = param.clean(raw)
    if not reason.strip():
        raise ParamError("请填写修改原因")
    stored = {k: str(v) for k, v in value.items()} if param.parts else _jsonable(value)
    row = ParamValue.objects.filter(key=key).first() or ParamValue(key=key)
    row.value, row.reason, row.changed_by = stored, reason.strip()[:200], user
    row._change_reason, row._history_user = row.reason, user
    row.save()
    return value


def reset(key: str, *, user: Any, reason: str) -> None:
    """Remove the page's value for ``key`` (the setting or the default applies again)."""
    from zhujian.core.models import ParamValue

    if not reason.strip():
        raise ParamError("请填写修改原因")
    row = ParamValue.objects.filter(key=key).first()
    if row is not None:
        row.reason, row.changed_by = reason.strip()[:200], user
        row._change_reason, row._history_user = row.reason, user
        row.delete()  # the history's deletion row keeps the person and the reason


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value
