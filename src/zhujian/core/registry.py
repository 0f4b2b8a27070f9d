"""The ledger registry: one declaration per ledger model, everything else derived.

A domain app declares each ledger in its ``ledgers.py``::

    registry.register(Ledger(
        model=PartyActivity, line="party",
        list_display=["held_on", "kind", "topic", "org_unit", "participants"],
        filters=["kind", "held_on"], search=["topic"],
        natural_key=["org_unit", "held_on", "kind", "topic"],
        date_field="held_on", demo=demo.activities,
    ))

and gets list/detail/edit pages, REST endpoints, Excel template/import/export, scope
and the generic tests. ``zhujian.core.apps`` imports every app's ``ledgers`` module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.urls import reverse

from zhujian.core import codes, lines, personal
from zhujian.core.deadlines import Deadlines
from zhujian.core.personal import PersonalData

# Fields every ledger has but no user types in.
SYSTEM_FIELDS = ("id", "created_at", "updated_at")


@dataclass
class Ledger:
    """How one ledger model is listed, filtered, edited, imported and demoed."""

    model: type[models.Model]
    line: str
    list_display: Sequence[str]
    natural_key: Sequence[str]
    filters: Sequence[str] = ()
    search: Sequence[str] = ()
    form_fields: Sequence[str] | None = None  # default: every editable field
    excel_fields: Sequence[str] | None = None  # default: form fields
    date_field: str | None = None  # the date that places a record in a period
    ordering: Sequence[str] = ("-id",)
    demo: Callable[..., Any] | None = None
    demo_order: int = 100
    name: str = ""  # default: "<app_label>_<model_name>"
    parent: str | None = None  # FK field to the ledger this one details (e.g. progress → project)
    help: str = ""
    read_only_fields: Sequence[str] = ()
    # A ledger several lines share (the hazard loop): the field naming each record's line.
    # Permission to change a record then follows the record's line, not the ledger's.
    line_field: str | None = None
    inspects: bool = False  # its records are inspections that can find hazards (隐患)
    # Staff may tag its records so report templates can name one (see core.tags).
    report_tags: bool = False
    # Personal fields, masked for all but the record's handlers (see core.personal).
    personal: PersonalData | None = None
    # Deadline clocks of its records: overdue / due-soon lists (see core.deadlines).
    deadlines: Deadlines | None = None
    # Fields only the machine reads (a credential's digest): never shown on the record's
    # page, in its history, the API or an export, to anybody.
    hidden: Sequence[str] = ()
    # Codes township users type, unique within the record's township (``core.codes``):
    # the model has ``codes.township_field()`` and ``codes.unique_in_township(...)``; the
    # natural key becomes ``("township", *natural_key)``.
    township_codes: Sequence[str] = ()
    # Codes unique county-wide, assigned by the platform (field → prefix): township users
    # never type or change them (``core.codes``).
    assigned_codes: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        lines.get_line(self.line)
        opts = self.model._meta
        if not self.name:
            self.name = f"{opts.app_label}_{opts.model_name}"
        if self.form_fields is None:
            self.form_fields = [
                f.name
                for f in opts.get_fields()
                if getattr(f, "editable", False)
                and not f.auto_created
                and f.concrete
                and f.name not in SYSTEM_FIELDS
                and not isinstance(f, models.ManyToManyField)
            ]
        if self.excel_fields is None:
            self.excel_fields = [
                n for n in self.form_fields if not isinstance(opts.get_field(n), models.FileField)
            ]
        for name in [*self.list_display, *self.filters, *self.natural_key, *self.excel_fields]:
            opts.get_field(name.split("__")[0])  # fail loudly at start-up on a typo
        if self.date_field:
            opts.get_field(self.date_field)
        if self.line_field:
            opts.get_field(self.line_field)
        if self.deadlines is not None:
            for clock in self.deadlines.clocks:
                opts.get_field(clock.due)
                opts.get_field(clock.done)
        for name in self.hidden:
            f = opts.get_field(name)
            shown = [*self.list_display, *self.filters, *self.search, *self.form_fields]
            if f.editable or name in {n.split("__")[0] for n in shown}:
                raise ValueError(f"{self.name}.{name}: a hidden field is not editable or shown")
        personal.check_declaration(self)
        if self.township_codes and list(self.natural_key[:1]) != [codes.FIELD]:
            self.natural_key = [codes.FIELD, *self.natural_key]
        codes.check_declaration(self)

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def line_label(self) -> str:
        return lines.get_line(self.line).label

    def field(self, name: str) -> models.Field:
        return self.model._meta.get_field(name)

    def field_label(self, name: str) -> str:
        path = name.split("__")
        model = self.model
        f = None
        for part in path:
            f = model._meta.get_field(part)
            if f.is_relation and f.related_model is not None:
                model = f.related_model
        return str(getattr(f, "verbose_name", name))

    @property
    def url_list(self) -> str:
        return self.url("list")

    def url(self, action: str, **kwargs: Any) -> str:
        return reverse(f"web:ledger_{action}", kwargs={"ledger": self.name, **kwargs})


class Registry:
    def __init__(self) -> None:
        self._by_name: dict[str, Ledger] = {}
        self._by_model: dict[type[models.Model], Ledger] = {}
        self.detail_panels: list[Callable[..., dict[str, Any] | None]] = []
        self.dashboard_panels: list[Callable[..., dict[str, Any] | None]] = []

    def register(self, ledger: Ledger) -> Ledger:
        if ledger.name in self._by_name and self._by_name[ledger.name].model is not ledger.model:
            raise ValueError(f"ledger name {ledger.name!r} is registered twice")
        self._by_name[ledger.name] = ledger
        self._by_model[ledger.model] = ledger
        ledger.model.ledger_name = ledger.name  # for get_absolute_url, without this module
        # What the model's own write paths read of the ledger's codes (``core.codes``).
        ledger.model.township_codes = tuple(ledger.township_codes)
        ledger.model.assigned_codes = dict(ledger.assigned_codes)
        return ledger

    def detail_panel(
        self, fn: Callable[..., dict[str, Any] | None]
    ) -> Callable[..., dict[str, Any] | None]:
        """Register ``fn(ledger, obj, user) -> {"template": ..., ...} | None``: a section that
        another app adds to every record page where it applies (e.g. linked hazards)."""
        self.detail_panels.append(fn)
        return fn

    def dashboard_panel(
        self, fn: Callable[..., dict[str, Any] | None]
    ) -> Callable[..., dict[str, Any] | None]:
        """Register ``fn(period, unit, user) -> {"template": ..., ...} | None``: a panel another
        app adds to the leaders' dashboard (e.g. overdue and due-soon petition cases)."""
        self.dashboard_panels.append(fn)
        return fn

    def __iter__(self) -> Iterator[Ledger]:
        return iter(sorted(self._by_name.values(), key=lambda x: (x.line_index, x.name)))

    def __len__(self) -> int:
        return len(self._by_name)

    def get(self, name: str) -> Ledger:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(
                f"没有名为 {name!r} 的台账；可用的台账：{', '.join(sorted(self._by_name))}"
            ) from None

    def for_model(self, model: type[models.Model]) -> Ledger:
        return self._by_model[model]

    def find(self, model: type[models.Model]) -> Ledger | None:
        return self._by_model.get(model)

    def by_line(self) -> list[tuple[lines.BusinessLine, list[Ledger]]]:
        """The ledgers by business line, in the bureau's order of lines (the seed
        summary's sections) and, within a line, in the order the domain declared them
        (its business order), never by model name."""
        out = []
        for line in lines.LINES:
            members = [lg for lg in self._by_name.values() if lg.line == line.code]
            if members:
                out.append((line, members))
        return out


Ledger.line_index = property(  # type: ignore[attr-defined]
    lambda self: [ln.code for ln in lines.LINES].index(self.line)
)

registry = Registry()
