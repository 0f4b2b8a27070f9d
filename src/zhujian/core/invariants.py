"""Legal rules that span records (invariants), re-checked by every write that can change them.

A rule of the law speaks about several records at once: an escrow account's deposits,
releases and construction nodes; a project's presale permits and sale contracts. Checking
it once, in ``Model.clean()`` of the record being typed, misses the other writes that change
the answer (a deposit deleted, a node date moved, a release entered with an earlier date,
a permit edited). Here a rule is an *invariant over an anchor record*: it is declared once,
in the domain, and checked whole — over the anchor's entire history, not "as of" the date
a user typed — after any write to any record it reads, inside that write's transaction,
with the anchor's row locked.

Declaring a rule (in a domain's ``invariants.py``, discovered like ``ledgers.py``)::

    invariants.register(Invariant(
        code="escrow_cap", title="预售资金按工程节点限额拨付",
        law="城市商品房预售管理办法", article="第十一条", also="本县商品房预售资金监管规定",
        anchor=EscrowAccount,                      # its row is locked while checking
        reads=[Reads(EscrowAccount),               # the anchor's own fields (node dates)
               Reads(EscrowDeposit, "account", on_delete=refuse_deposit_deletion),
               Reads(EscrowRelease, "account")],
        check=check_escrow,             # anchor -> list[Violation(message, record, field)]
        candidates=accounts_with_releases,  # what ``zhujian rules check`` walks (default: all)
        dated=True,                     # depends on "as of when": needs a backdated attack
        attacks=escrow_attacks,         # () -> list[Attack], for the generic test
    ))

``Reads(model, path)``: ``path`` leads from a ``model`` record to its anchor through
foreign keys (``"account"``, ``"line__sheet"``; ``""`` when the model is the anchor).
A check writes the numbers (``截至2024-03-01累计拨付550000.00元，超过…上限500000.00元``);
the refusal people read appends the rule's title and source (:meth:`Invariant.refusal`).
Attacks are built inside the test's transaction on the demo county; each attack is
tried on a fresh set-up (the generic test calls ``attacks()`` once per attack and path).

How it holds on every path
--------------------------
* **Model saves** (forms, the API, admin, CLIs, code): ``LeanLedgerModel.save()`` runs the
  write and the check in one atomic block (:func:`guarded`), so a refused autocommit save
  leaves nothing. The anchors of the record *before* the write (an update can move a
  record to another anchor) and after it are both checked.
* **Deletes**, including cascades and ``QuerySet.delete()`` (admin's bulk delete, the
  delete page's :mod:`core.deletion` plan): a ``pre_delete`` receiver notes each deleted
  record's anchor; the check runs when the outermost guarded block ends (Django's
  ``Collector`` deletes everything inside its own atomic block, so a refusal rolls the
  whole cascade back). A deletion not inside a guarded block is checked at once in
  ``post_delete``. A record that is deleted together with its anchor is not checked
  (the whole account goes), and ``Reads.on_delete`` may refuse deleting a record while
  its anchor stays (a deposit that releases were made against).
* **Bulk imports** (``imports.engine`` writes with ``bulk_create`` / COPY and
  ``bulk_update``, never ``save()``): the engine records the anchors each row touches
  (before and after the change) with :class:`Touched` and calls :func:`check_touched` in
  the import's transaction before it commits; each violation is reported at the row that
  wrote the record it names (else the first row that touched the anchor).
* **Locking**: the anchors are read ``SELECT … FOR NO KEY UPDATE`` in primary-key order
  before the rule reads anything. Two writers of the same account serialise there and the
  second reads the first's committed rows (PostgreSQL, read committed: each statement
  has a fresh snapshot). ``NO KEY`` because inserting a child takes ``FOR KEY SHARE`` on
  the parent: a plain ``FOR UPDATE`` would deadlock two concurrent inserts. On SQLite the
  database's single writer lock already serialises the writes.
* **Refusal**: :class:`RuleViolation`, a ``ValidationError`` whose messages name the rule,
  the law and the article (added here, after the check's own numbers). The form shows it,
  the API answers 400 with it, the import reports it by row.
* ``zhujian rules`` lists the declared rules, ``zhujian rules check`` re-verifies every
  stored anchor (data imported before a rule existed), exit status 1 when any is broken.

Limits
------
``QuerySet.update()`` and raw SQL send no signals: code that uses them must call
:func:`check_anchors` itself (the import engine does); ``zhujian rules check`` finds
anything that slipped through. A rule sees the records as stored: it cannot tell a true
date from a false one, but because it is checked over the whole history, a backdated
record must leave every later point in time valid too.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

# Anchors locked per query (an import touching 300,000 workers locks them in chunks).
LOCK_CHUNK = 2000


@dataclass(frozen=True)
class Violation:
    """One breach of a rule: a Chinese message with the numbers, and the record it is about
    (an import reports it at that record's row) and the field (a form's field)."""

    message: str
    record: models.Model | None = None
    field: str | None = None


@dataclass
class Reads:
    """A model a rule reads, with the foreign-key path from its records to the anchor."""

    model: type[models.Model]
    path: str = ""
    # Refuse deleting one of its records while the anchor stays: ``fn(record) -> message``.
    on_delete: Callable[[models.Model], str | None] | None = None


@dataclass
class Attack:
    """A write that breaks a rule, for the generic test (``tests/core/test_invariants_generic``).

    * create: ``values`` for a new record of ``model`` (foreign keys as instances);
    * update: ``target`` and the ``values`` to change on it;
    * delete: ``target`` only.
    ``backdated``: the write claims a date earlier than records already stored."""

    label: str
    model: type[models.Model]
    values: dict[str, Any] | None = None
    target: models.Model | None = None
    backdated: bool = False

    @property
    def kind(self) -> str:
        if self.target is None:
            return "create"
        return "delete" if self.values is None else "update"


@dataclass(eq=False)
class Invariant:
    """A legal rule over the records of one anchor."""

    code: str
    title: str  # Chinese, as staff say it
    law: str  # e.g. 城市房地产管理法
    article: str  # e.g. 第四十五条
    anchor: type[models.Model]
    reads: Sequence[Reads]
    check: Callable[[Any], list[Violation]]
    # Records the rule can be broken by, for ``zhujian rules check`` (default: every anchor).
    candidates: Callable[[], models.QuerySet] | None = None
    dated: bool = False  # depends on "as of when": the generic test wants a backdated attack
    attacks: Callable[[], list[Attack]] | None = None
    note: str = ""  # what the rule says, for ``zhujian rules``
    also: str = ""  # further sources, e.g. 城市商品房预售管理办法第六条

    def __post_init__(self) -> None:
        for reads in self.reads:
            if reads.path:
                reads.model._meta.get_field(reads.path.split("__")[0])  # fail loudly on a typo

    @property
    def source(self) -> str:
        return f"{self.law}{self.article}" + (f"、{self.also}" if self.also else "")

    def refusal(self, violation: Violation) -> str:
        """The message people read: the numbers, then the rule and its article."""
        return f"{violation.message}（{self.title}，依据{self.source}）"

    def anchor_ids(self, reads: Reads, records: Iterable[models.Model]) -> set[Any]:
        """The anchors of ``records`` (of ``reads.model``) as they are in memory."""
        out: set[Any] = set()
        for record in records:
            pk = anchor_of(record, reads.path)
            if pk is not None:
                out.add(pk)
        return out

    def stored_anchor_ids(self, reads: Reads, pks: Iterable[Any]) -> set[Any]:
        """The anchors of the stored records ``pks`` of ``reads.model`` (before a change)."""
        pks = [pk for pk in pks if pk is not None]
        if not pks:
            return set()
        if not reads.path:
            return set(pks)
        values = reads.model._default_manager.filter(pk__in=pks).values_list(reads.path, flat=True)
        return {v for v in values if v is not None}

    def ledgers(self) -> list[str]:
        """Chinese names of the ledgers the rule guards (the models it reads)."""
        return [str(r.model._meta.verbose_name) for r in self.reads]


def anchor_of(record: models.Model, path: str) -> Any:
    """The anchor's primary key for ``record`` following ``path`` in memory (None: none)."""
    if not path:
        return record.pk
    *parts, last = path.split("__")
    obj: Any = record
    for part in parts:
        if getattr(obj, f"{part}_id", None) is None:
            return None
        obj = getattr(obj, part)
    return getattr(obj, record._meta.get_field(last).attname if obj is record else f"{last}_id")


class RuleViolation(ValidationError):
    """A write refused by one or more rules. ``violations`` are (rule, violation) pairs."""

    def __init__(self, violations: list[tuple[Invariant, Violation]]) -> None:
        self.violations = violations
        super().__init__([rule.refusal(v) for rule, v in violations])


class _Registry:
    def __init__(self) -> None:
        self._by_code: dict[str, Invariant] = {}
        self._by_model: dict[type[models.Model], list[tuple[Invariant, Reads]]] = defaultdict(list)

    def register(self, rule: Invariant) -> Invariant:
        if rule.code in self._by_code:
            raise ValueError(f"rule code {rule.code!r} is registered twice")
        self._by_code[rule.code] = rule
        for reads in rule.reads:
            self._by_model[reads.model].append((rule, reads))
            connect(reads.model)
        return rule

    def __iter__(self) -> Iterator[Invariant]:
        return iter(sorted(self._by_code.values(), key=lambda r: r.code))

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Invariant:
        return self._by_code[code]

    def reading(self, model: type[models.Model]) -> list[tuple[Invariant, Reads]]:
        """The rules that read ``model`` (concrete model; proxies resolve to it)."""
        return self._by_model.get(model._meta.concrete_model, [])


rules = _Registry()


def register(rule: Invariant) -> Invariant:
    """Declare a rule (call from a domain's ``invariants.py``)."""
    return rules.register(rule)


# --- what a transaction has touched ------------------------------------------------------


class Touched:
    """Anchors touched by writes, per rule; and deleted records whose anchors stay."""

    def __init__(self) -> None:
        self.anchors: dict[Invariant, set[Any]] = defaultdict(set)
        self.deleted: list[tuple[Invariant, Reads, models.Model, Any]] = []
        # Records being deleted (an anchor deleted with its children is not checked).
        self.gone: set[tuple[type[models.Model], Any]] = set()
        # (model, pk) → row of an import, for reporting; anchors → first row
        self.rows: dict[tuple[type[models.Model], Any], int] = {}
        self.anchor_rows: dict[tuple[Invariant, Any], int] = {}

    def __bool__(self) -> bool:
        return bool(self.anchors) or bool(self.deleted)

    def add(self, record: models.Model, *, row: int | None = None, stored: bool = False) -> None:
        """Note ``record``'s anchors: as in memory, and with ``stored`` also as stored (the
        record before an update, which may move it to another anchor)."""
        for rule, reads in rules.reading(type(record)):
            ids = rule.anchor_ids(reads, [record])
            if stored and record.pk is not None and reads.path:
                ids |= rule.stored_anchor_ids(reads, [record.pk])
            self.anchors[rule] |= ids
            if row is not None:
                for pk in ids:
                    self.anchor_rows.setdefault((rule, pk), row)
        if row is not None and record.pk is not None:
            self.rows[(type(record)._meta.concrete_model, record.pk)] = row

    def add_many(self, model: type[models.Model], records: Sequence[models.Model]) -> None:
        """Anchors of many in-memory records of one model (an import batch), in one pass."""
        for rule, reads in rules.reading(model):
            self.anchors[rule] |= rule.anchor_ids(reads, records)

    def add_deleted(self, record: models.Model) -> None:
        self.gone.add((type(record)._meta.concrete_model, record.pk))
        for rule, reads in rules.reading(type(record)):
            if reads.path:
                ids = rule.stored_anchor_ids(reads, [record.pk]) or rule.anchor_ids(reads, [record])
            else:
                ids = set()  # the anchor itself goes: nothing left to check
            self.anchors[rule] |= ids
            for pk in ids:
                self.deleted.append((rule, reads, record, pk))

    def row_for(self, rule: Invariant, anchor_pk: Any, violation: Violation) -> int | None:
        record = violation.record
        if record is not None and record.pk is not None:
            row = self.rows.get((type(record)._meta.concrete_model, record.pk))
            if row is not None:
                return row
        return self.anchor_rows.get((rule, anchor_pk))


def check_anchors(touched: Touched) -> list[tuple[Invariant, Any, Violation]]:
    """Lock every touched anchor that still exists and run its rules; the breaches, as
    (rule, anchor pk, violation)."""
    found: list[tuple[Invariant, Any, Violation]] = []
    by_anchor_model: dict[type[models.Model], set[Any]] = defaultdict(set)
    for rule, ids in touched.anchors.items():
        by_anchor_model[rule.anchor] |= ids
    locked: dict[type[models.Model], dict[Any, models.Model]] = {}
    for model, ids in by_anchor_model.items():
        ids = {pk for pk in ids if (model._meta.concrete_model, pk) not in touched.gone}
        if not ids:
            continue
        qs = model._default_manager.select_for_update(no_key=True, of=("self",))
        ordered = sorted(ids)
        locked[model] = {}
        for start in range(0, len(ordered), LOCK_CHUNK):  # SQLite bounds a query's parameters
            chunk = ordered[start : start + LOCK_CHUNK]
            locked[model].update((obj.pk, obj) for obj in qs.filter(pk__in=chunk).order_by("pk"))
    for rule, reads, record, anchor_pk in touched.deleted:
        if anchor_pk in locked.get(rule.anchor, {}) and reads.on_delete is not None:
            message = reads.on_delete(record)
            if message:
                found.append((rule, anchor_pk, Violation(message, record)))
    for rule, ids in touched.anchors.items():
        anchors = locked.get(rule.anchor, {})
        for pk in sorted(ids, key=str):
            anchor = anchors.get(pk)
            if anchor is not None:
                found.extend((rule, pk, v) for v in rule.check(anchor))
    return found


def check_touched(touched: Touched) -> None:
    """Raise :class:`RuleViolation` when a touched anchor breaks a rule."""
    if not touched:
        return
    found = check_anchors(touched)
    if found:
        raise RuleViolation([(rule, v) for rule, _, v in found])


def check_all(rule: Invariant) -> Iterator[tuple[models.Model, Violation]]:
    """Every stored anchor of ``rule`` with its breaches (``zhujian rules check``)."""
    qs = rule.candidates() if rule.candidates else rule.anchor._default_manager.all()
    for anchor in qs.order_by("pk").iterator(chunk_size=500):
        for violation in rule.check(anchor):
            yield anchor, violation


# --- the guard around model writes -------------------------------------------------------

_local = threading.local()


def _pending() -> Touched:
    touched = getattr(_local, "touched", None)
    if touched is None:
        touched = _local.touched = Touched()
    return touched


@contextmanager
def guarded() -> Iterator[None]:
    """One atomic block for a write and the check of the rules it touched: the
    outermost block checks, on leaving, every anchor touched inside it (a cascade is
    checked once, after everything went). Nesting is allowed."""
    depth = getattr(_local, "depth", 0)
    _local.depth = depth + 1
    try:
        with transaction.atomic():
            yield
            if depth == 0:
                touched, _local.touched = _pending(), None
                check_touched(touched)
    finally:
        _local.depth = depth
        if depth == 0:
            _local.touched = None


def _guarding() -> bool:
    return getattr(_local, "depth", 0) > 0


def _before_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        _pending().add(instance, stored=True)


def _after_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    touched = _pending()
    touched.add(instance)
    if not _guarding():  # a save outside LeanLedgerModel.save (rare): check now
        _local.touched = None
        check_touched(touched)


def _before_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    _pending().add_deleted(instance)
    _local.deleting = getattr(_local, "deleting", 0) + 1


def _after_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    # Django's Collector sends every pre_delete before it deletes anything, then one
    # post_delete per record: the last one closes the deletion. Outside a guarded block (a
    # bare QuerySet.delete()) check then, still inside the Collector's atomic block, so a
    # refusal rolls the whole deletion back.
    _local.deleting = max(getattr(_local, "deleting", 1) - 1, 0)
    if _local.deleting == 0 and not _guarding():
        touched, _local.touched = _pending(), None
        check_touched(touched)


def connect(model: type[models.Model]) -> None:
    """Watch ``model``'s writes (called for each model a registered rule reads). Per model,
    so that other models keep Django's fast deletes."""
    uid = f"zhujian.invariants.{model._meta.label_lower}"
    pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}.pre_save")
    post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}.post_save")
    pre_delete.connect(_before_delete, sender=model, dispatch_uid=f"{uid}.pre_delete")
    post_delete.connect(_after_delete, sender=model, dispatch_uid=f"{uid}.post_delete")


@contextmanager
def refused_as(error: Callable[[Any], Exception]) -> Iterator[None]:
    """Turn a :class:`RuleViolation` into ``error({"non_field_errors": [messages]})`` (DRF's
    ``ValidationError``: the API answers 400 with the Chinese messages)."""
    try:
        yield
    except RuleViolation as exc:
        raise error({"non_field_errors": list(exc.messages)}) from None
