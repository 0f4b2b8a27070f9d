"""Lineage of figure values: which record versions each value was computed from.

A report that is issued (印发) keeps, for every figure value it shows, the records behind
it and the version each record had then. Opened later, the same lineage computed again
says which figures would differ today and which record changes caused it.

A record's version is the project's version token (``core.versions``):
``"<latest history id>-<updated_at in µs>"`` — the history id changes with every audited
write (forms, API, imports in bulk), ``updated_at`` with any save. A ledger without a
history (``LeanLedgerModel``) has history id 0.

The work is shaped like :func:`zhujian.figures.catalog.evaluate`: all the aggregates over
one model share one ``SELECT`` (each figure's condition becomes a boolean column), and the
versions of a model's records come from one grouped query on its history table.

Stored form (:func:`pack`): zlib-compressed JSON
``{"records": {model label: [[pk, history id, µs], …]},
"figures": {value key: {"sources": {model label: [[first pk, last pk], …]},
"inputs": [value keys], "program": bool}}}`` — each record version once, each figure's
records as ranges of primary keys.
"""

from __future__ import annotations

import json
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.apps import apps
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Max, Q, Value

from zhujian.core.models import OrgUnit, User
from zhujian.core.versions import _micros
from zhujian.figures import catalog
from zhujian.figures.catalog import Aggregate, Computed, EvalContext, Formula, Setting
from zhujian.figures.periods import Period

Version = tuple[int, int]  # (history id, updated_at in µs)


@dataclass
class Lineage:
    """Record versions by model label, and for each value key the records it came from."""

    records: dict[str, dict[int, Version]] = field(default_factory=dict)
    sources: dict[str, dict[str, set[int]]] = field(default_factory=dict)
    inputs: dict[str, list[str]] = field(default_factory=dict)
    program: set[str] = field(default_factory=set)  # computed by code, from no record

    @property
    def record_count(self) -> int:
        return sum(len(v) for v in self.records.values())

    def closure(self, key: str) -> dict[str, set[int]]:
        """The records behind ``key``, through the inputs of formulas."""
        out: dict[str, set[int]] = defaultdict(set)
        seen: set[str] = set()
        stack = [key]
        while stack:
            k = stack.pop()
            if k in seen:
                continue
            seen.add(k)
            for label, pks in self.sources.get(k, {}).items():
                out[label] |= pks
            stack.extend(self.inputs.get(k, []))
        return dict(out)


def _key(fid: str, back: int) -> str:
    return fid if back == 0 else f"{fid}@-{back}"


def _split(key: str) -> tuple[str, int]:
    fid, _, back = key.partition("@-")
    return fid, int(back) if back else 0


def compute(
    keys: Iterable[str],
    period: Period,
    unit: OrgUnit | None = None,
    user: User | None = None,
    *,
    approved_only: bool = False,
) -> Lineage:
    """The lineage of the value keys ``keys`` (``id`` or ``id@-n``, as
    :func:`catalog.evaluate` returns them), with their formulas' inputs."""
    ctx = EvalContext(period, unit, user, approved_only=approved_only)
    wanted = [_split(k) for k in keys]
    catalog.expand({fid for fid, _ in wanted})  # refuses a cycle of formulas
    # Every (figure, back) reachable: the keys asked and, below them, their inputs.
    pairs: set[tuple[str, int]] = set()
    for fid, back in wanted:
        stack = [(fid, back)]
        while stack:
            f, b = stack.pop()
            if (f, b) in pairs:
                continue
            pairs.add((f, b))
            stack.extend((a, b + e) for a, e in catalog.get(f).inputs())
    out = Lineage()
    groups: dict[type[models.Model], list[tuple[str, Q]]] = defaultdict(list)
    for fid, back in sorted(pairs):
        fig = catalog.get(fid)
        key = _key(fid, back)
        if isinstance(fig, Aggregate):
            groups[fig.model].append((key, fig.condition(ctx.shifted(back).period)))
        elif isinstance(fig, Formula):
            out.inputs[key] = [_key(a, back + e) for a, e in fig.inputs()]
        elif isinstance(fig, Computed):
            qs = catalog.records(
                fid, ctx.shifted(back).period, unit, user, approved_only=approved_only
            )
            if qs is None:
                out.program.add(key)
            else:
                _collect(out, qs, [(key, Q())])
        elif isinstance(fig, Setting):
            from zhujian.figures.models import Fact

            _collect(out, Fact.objects.filter(key=fig.key), [(key, Q())])
    for model, members in groups.items():
        _collect(out, ctx.base(model), members)
    return out


def _collect(out: Lineage, base: models.QuerySet, members: list[tuple[str, Q]]) -> None:
    """Read, in one query, which of ``base``'s records each member's condition selects,
    with each record's ``updated_at``; then their history ids in one more."""
    model = base.model
    label = model._meta.label
    conds = [cond for _, cond in members]
    everything = any(not c for c in conds)
    qs = base if everything else base.filter(reduce(or_, conds))
    names = {f"c{i}": (Value(True) if not c else c) for i, c in enumerate(conds)}
    annotations = {n: ExpressionWrapper(c, output_field=BooleanField()) for n, c in names.items()}
    has_updated = any(f.name == "updated_at" for f in model._meta.concrete_fields)
    columns = ["pk", *(["updated_at"] if has_updated else []), *annotations]
    sources = [out.sources.setdefault(key, {}).setdefault(label, set()) for key, _ in members]
    versions = out.records.setdefault(label, {})
    found: dict[int, int] = {}
    for row in qs.annotate(**annotations).values_list(*columns):
        pk = row[0]
        found[pk] = _micros(row[1]) if has_updated else 0
        flags = row[2:] if has_updated else row[1:]
        for i, flag in enumerate(flags):
            if flag:
                sources[i].add(pk)
    history = getattr(getattr(model, "history", None), "model", None)
    hids: dict[int, int] = {}
    if history is not None and found:
        attname = model._meta.pk.attname
        rows = (
            history.objects.filter(**{f"{attname}__in": qs.values("pk")})
            .values(attname)
            .annotate(h=Max("history_id"))
            .values_list(attname, "h")
        )
        hids = dict(rows)
    for pk, micros in found.items():
        versions[pk] = (hids.get(pk, 0), micros)


# --- stored form -------------------------------------------------------------------------


def _ranges(pks: Iterable[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for pk in sorted(pks):
        if out and pk == out[-1][1] + 1:
            out[-1][1] = pk
        else:
            out.append([pk, pk])
    return out


def _unranges(ranges: list[list[int]]) -> set[int]:
    return {pk for first, last in ranges for pk in range(first, last + 1)}


def pack(lineage: Lineage) -> bytes:
    doc = {
        "records": {
            label: [[pk, h, us] for pk, (h, us) in sorted(versions.items())]
            for label, versions in sorted(lineage.records.items())
        },
        "figures": {
            key: {
                "sources": {lb: _ranges(pks) for lb, pks in sorted(lineage.sources[key].items())}
                if key in lineage.sources
                else {},
                "inputs": lineage.inputs.get(key, []),
                "program": key in lineage.program,
            }
            for key in sorted(set(lineage.sources) | set(lineage.inputs) | lineage.program)
        },
    }
    text = json.dumps(doc, separators=(",", ":"), sort_keys=True)
    return zlib.compress(text.encode("utf-8"), 6)


def unpack(data: bytes) -> Lineage:
    doc = json.loads(zlib.decompress(bytes(data)).decode("utf-8"))
    out = Lineage()
    for label, rows in doc["records"].items():
        out.records[label] = {pk: (h, us) for pk, h, us in rows}
    for key, entry in doc["figures"].items():
        if entry["sources"]:
            out.sources[key] = {lb: _unranges(r) for lb, r in entry["sources"].items()}
        if entry["inputs"]:
            out.inputs[key] = entry["inputs"]
        if entry["program"]:
            out.program.add(key)
    return out


# --- comparison ----------------------------------------------------------------------------


@dataclass
class RecordChange:
    """One record whose part in a figure changed since the lineage was taken."""

    label: str  # model label
    pk: int
    kind: str  # "changed", "added", "removed", "deleted"
    then: Version | None
    now: Version | None

    @property
    def model(self) -> type[models.Model] | None:
        try:
            return apps.get_model(self.label)
        except LookupError:
            return None

    @property
    def kind_label(self) -> str:
        return {
            "changed": "记录被修改",
            "added": "新计入的记录",
            "removed": "不再计入的记录",
            "deleted": "记录已删除",
        }[self.kind]


def record_changes(key: str, then: Lineage, now: Lineage) -> list[RecordChange]:
    """The records behind ``key`` then or now whose version or membership differs."""
    before, after = then.closure(key), now.closure(key)
    out: list[RecordChange] = []
    for label in sorted(set(before) | set(after)):
        old, new = before.get(label, set()), after.get(label, set())
        old_v, new_v = then.records.get(label, {}), now.records.get(label, {})
        model = _model(label)
        gone = old - new
        existing: set[int] = set()
        if gone and model is not None:
            existing = set(model._default_manager.filter(pk__in=gone).values_list("pk", flat=True))
        for pk in sorted(old | new):
            if pk in old and pk in new:
                if old_v.get(pk) != new_v.get(pk):
                    out.append(RecordChange(label, pk, "changed", old_v.get(pk), new_v.get(pk)))
            elif pk in new:
                out.append(RecordChange(label, pk, "added", None, new_v.get(pk)))
            else:
                kind = "removed" if pk in existing else "deleted"
                out.append(RecordChange(label, pk, kind, old_v.get(pk), None))
    return out


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None
