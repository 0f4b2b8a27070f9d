"""Fast bulk insert of new records together with their audit history rows.

``django-simple-history``'s ``bulk_create_with_history`` goes through Django's generic
``bulk_create`` twice (records, then history), which spends ~10 µs per *value* preparing
parameters and builds a second model instance per record. For county-scale imports
(300k rows) that is most of the time. This writes the same rows with multi-row
``INSERT … RETURNING`` statements whose parameters are prepared by one converter per
column, chosen once per model, and builds the history rows as plain tuples.

Semantics kept: the records get their primary keys; ``auto_now``/``auto_now_add`` fields
are set (one timestamp per call); each record gets a ``+`` history row with the user, the
change reason and the same timestamp, exactly what ``bulk_create_with_history`` writes.
Backends that cannot return rows from a multi-row insert fall back to that function;
on PostgreSQL the rows go through ``COPY`` with keys drawn from the table's sequence.

PostgreSQL inside a transaction (every import): the write overlaps with the importer's
next batch. Keys are reserved from the sequence ahead (``nextval`` by the thousand), the
records are sent with ``COPY`` and their history rows are copied from them by the
server (``INSERT … SELECT``), with their foreign keys checked at that point rather than
all at commit, in a background thread on the same connection. psycopg's connection
lock makes any other statement wait for that write, and commit/rollback/close wait for
it and raise its error (see :class:`_PgOverlap`). On a 2-core server this puts the
database's work (indexes, foreign keys) beside the parsing instead of after it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import connections, models, router
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

Converter = Callable[[Any], Any]

logger = logging.getLogger("zhujian.imports")


def _text(value: Any) -> Any:
    return value if value is None or type(value) is str else str(value)


def _converter(field: models.Field, connection: Any) -> Converter:
    """Turn a field's Python value into a query parameter, as ``get_db_prep_save`` would:
    a value of the field's own type takes a fast path, anything else (a date given as
    text, a number as a string) goes through ``get_db_prep_save``, so a parameter always
    has the type the column's binary ``COPY`` form expects."""
    ops = connection.ops
    kind = field.get_internal_type()

    def prepared(v: Any) -> Any:
        return field.get_db_prep_save(v, connection)

    if getattr(field, "encrypted", False):
        return prepared  # SM4: the column holds ciphertext (zhujian.core.crypto)
    if kind in ("CharField", "TextField", "SlugField", "EmailField", "URLField"):
        return _text
    if kind == "BooleanField":
        return lambda v: v if v is None or type(v) is bool else prepared(v)
    if kind in (
        "IntegerField",
        "SmallIntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "PositiveBigIntegerField",
        "AutoField",
        "BigAutoField",
    ) or isinstance(field, models.ForeignKey):
        if isinstance(field, models.ForeignKey) and not isinstance(
            field.target_field, models.AutoField | models.IntegerField
        ):
            return prepared
        return lambda v: v if v is None or type(v) is int else prepared(v)
    if kind == "DateField":
        return lambda v: (
            None
            if v is None
            else ops.adapt_datefield_value(v)
            if type(v) is dt.date
            else prepared(v)
        )
    if kind == "DateTimeField":
        last: list[Any] = [None, None]  # the batch's timestamps are one object: convert once

        def adapt_datetime(v: Any) -> Any:
            if v is None:
                return None
            if v is not last[0]:
                last[0] = v
                last[1] = (
                    ops.adapt_datetimefield_value(v) if type(v) is dt.datetime else prepared(v)
                )
            return last[1]

        return adapt_datetime
    return prepared


#: Column types whose binary ``COPY`` form psycopg writes from the values the converters
#: above prepare. It takes about a seventh of the client CPU of the text form, and that
#: CPU holds the GIL beside the import's own work. A table with any other column type
#: is copied as text.
BINARY_COPY_TYPES = frozenset(
    {"int2", "int4", "int8", "bool", "text", "varchar", "date", "timestamptz", "numeric", "float8"}
)


def _binary_copy_types(cursor: Any, table: str, columns: Sequence[str]) -> list[int] | None:
    """The type oids of ``table``'s ``columns`` for a binary ``COPY``, or None when one of
    them is not in :data:`BINARY_COPY_TYPES`."""
    cursor.execute(
        "SELECT a.attname, t.oid, t.typname FROM pg_attribute a "
        "JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        [table],
    )
    found = {name: (oid, typname) for name, oid, typname in cursor.fetchall()}
    types = [found[c] for c in columns]
    if any(typname not in BINARY_COPY_TYPES for _oid, typname in types):
        return None
    return [oid for oid, _typname in types]


def _copy_rows(
    cursor: Any,
    table: str,
    names: Sequence[str],
    types: list[int] | None,
    rows: Sequence[Sequence[Any]],
    ids: Sequence[Any],
    quote: Callable[[str], str],
) -> None:
    """``COPY`` ``rows`` (each after its key from ``ids``) into ``table``; binary when
    ``types`` are given. ``cursor`` is psycopg's own."""
    sql = f"COPY {quote(table)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    with cursor.copy(sql + (" (FORMAT BINARY)" if types else "")) as copy:
        if types:
            copy.set_types(types)
        for pk_value, row in zip(ids, rows, strict=True):
            copy.write_row((pk_value, *row))


def _insert(
    connection: Any,
    table: str,
    columns: Sequence[str],
    pk_column: str,
    rows: Sequence[Sequence[Any]],
) -> list[Any]:
    """Insert ``rows``; returns their primary keys in order."""
    if connection.vendor == "postgresql":
        ids = _copy_insert(connection, table, columns, pk_column, rows)
        if ids is not None:
            return ids
    qn = connection.ops.quote_name
    per_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    limit = max(
        1, min(500, (connection.features.max_query_params or 65535) // max(1, len(columns)))
    )
    head = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES "
    tail = f" RETURNING {qn(pk_column)}"
    ids: list[Any] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), limit):
            chunk = rows[start : start + limit]
            params = [v for row in chunk for v in row]
            cursor.execute(head + ", ".join([per_row] * len(chunk)) + tail, params)
            ids.extend(r[0] for r in cursor.fetchall())
    return ids


def _copy_insert(
    connection: Any,
    table: str,
    columns: Sequence[str],
    pk_column: str,
    rows: Sequence[Sequence[Any]],
) -> list[Any] | None:
    """PostgreSQL: take the keys from the table's sequence, then ``COPY`` the rows.

    A multi-row ``INSERT`` makes psycopg parse every placeholder of every statement
    (~7 µs each, uncached for long statements): 10 s for 30k rows of 32 columns. ``COPY``
    sends the values without a statement to parse. Returns None (use ``INSERT``) when
    the key has no sequence.
    """
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk_column])
        sequence = cursor.fetchone()[0]
        if sequence is None:
            return None
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, len(rows)])
        ids = [r[0] for r in cursor.fetchall()]
        names = [pk_column, *columns]
        types = _binary_copy_types(cursor, table, names)
        _copy_rows(cursor.cursor, table, names, types, rows, ids, qn)
    return ids


def insert_with_history(
    objs: Sequence[models.Model],
    model: type[models.Model],
    *,
    user: Any = None,
    change_reason: str = "",
) -> list[models.Model]:
    """Insert new ``objs`` and one ``+`` history row each; sets their primary keys."""
    if not objs:
        return []
    using = router.db_for_write(model)
    connection = connections[using]
    if not connection.features.can_return_rows_from_bulk_insert:
        return bulk_create_with_history(
            list(objs),
            model,
            batch_size=500,
            default_user=user,
            default_change_reason=change_reason,
        )
    now = timezone.now()
    opts = model._meta
    pk = opts.pk
    fields = [f for f in opts.concrete_fields if f is not pk or not isinstance(f, models.AutoField)]
    for f in fields:  # auto_now(_add): one timestamp for the whole import batch
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                setattr(obj, f.attname, now)
    convert = [_converter(f, connection) for f in fields]
    attnames = [f.attname for f in fields]
    pairs = list(zip(attnames, convert, strict=True))
    rows = [[c(getattr(obj, a)) for a, c in pairs] for obj in objs]
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        overlapped = _PgOverlap.of(connection).insert(
            model, objs, fields, rows, now=now, user=user, change_reason=change_reason
        )
        if overlapped:
            for obj in objs:
                obj._state.adding = False
                obj._state.db = using
            return list(objs)
    ids = _insert(connection, opts.db_table, [f.column for f in fields], pk.column, rows)
    for obj, pk_value in zip(objs, ids, strict=True):
        obj.pk = pk_value
        obj._state.adding = False
        obj._state.db = using

    history = getattr(model, "history", None)
    if history is None:
        return list(objs)
    hmodel = history.model
    hopts = hmodel._meta
    tracked = {f.attname for f in hmodel.tracked_fields}
    special = {
        "history_date": now,
        "history_change_reason": change_reason,
        "history_type": "+",
        "history_user_id": getattr(user, "pk", None),
    }
    hfields = [f for f in hopts.concrete_fields if not isinstance(f, models.AutoField)]
    hconvert = [_converter(f, connection) for f in hfields]
    fixed = {
        f.attname: c(special[f.attname])
        for f, c in zip(hfields, hconvert, strict=True)
        if f.attname in special
    }
    getters: list[Callable[[models.Model], Any]] = []
    for f, c in zip(hfields, hconvert, strict=True):
        if f.attname in fixed:
            value = fixed[f.attname]
            getters.append(lambda _o, v=value: v)
        elif f.attname in tracked:
            getters.append(lambda o, a=f.attname, c=c: c(getattr(o, a)))
        elif f.attname == "history_relation_id":
            getters.append(lambda o: o.pk)
        else:
            default = c(f.get_default())
            getters.append(lambda _o, v=default: v)
    hrows = [[g(obj) for g in getters] for obj in objs]
    _insert(connection, hopts.db_table, [f.column for f in hfields], hopts.pk.column, hrows)
    return list(objs)


# --- PostgreSQL: writes that overlap with the importer's own work -----------------------

#: Every connection's overlap state, for the fork handler below.
_OVERLAPS: weakref.WeakSet[_PgOverlap] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for overlap in list(_OVERLAPS):
        overlap.forget_writer()


os.register_at_fork(after_in_child=_after_fork_in_child)

#: Keys reserved from a sequence at a time (unused ones are simply never used: sequences
#: have gaps anyway).
RESERVE = 20_000


class _PgOverlap:
    """One per Django connection: reserved keys, and the one write running in its writer
    thread. The thread is started once, at the connection's first overlapped write, and
    serves every batch of every import until the connection closes (it used to be a new
    thread per batch: 150 for one import).

    The thread uses the same psycopg connection, so everything stays in the caller's
    transaction. Any statement the caller sends through Django waits for the thread first
    (an execute wrapper) and re-raises its error, and so do Django's commit, rollback and
    close of the connection: PostgreSQL answers a COMMIT in a failed transaction with a
    silent ROLLBACK, which must never pass for success. The caller's Python work between
    two statements (parsing the next rows, building and checking records) is what runs
    beside the write.
    """

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.pool: dict[str, list[int]] = {}
        self.writer: ThreadPoolExecutor | None = None  # one thread, started on first use
        self.pending: Future[None] | None = None  # the write running now, if any
        self.error: BaseException | None = None
        self.sequences: dict[str, str | None] = {}
        self.foreign_keys: dict[str, list[str]] = {}
        self.copy_types: dict[tuple[str, ...], list[int] | None] = {}
        commit, rollback, close = connection._commit, connection._rollback, connection._close

        def _commit() -> Any:
            self.join()
            return commit()

        def _rollback() -> Any:
            self.join(raise_error=False)
            return rollback()

        def _close() -> Any:
            self.join(raise_error=False)
            self.pool.clear()
            if self.writer is not None:
                self.writer.shutdown(wait=True)
                self.writer = None
            return close()

        connection._commit, connection._rollback, connection._close = _commit, _rollback, _close
        # Any statement through Django waits for the write to finish first, so nobody sees
        # the records without their history. First in the list: Django's own
        # execute_wrapper() context manager pops the last one.
        connection.execute_wrappers.insert(0, self._wait_first)

    def _wait_first(self, execute: Any, sql: Any, params: Any, many: bool, context: Any) -> Any:
        self.join()
        return execute(sql, params, many, context)

    @classmethod
    def of(cls, connection: Any) -> _PgOverlap:
        found = getattr(connection, "_zhujian_overlap", None)
        if found is None:
            found = connection._zhujian_overlap = cls(connection)
            _OVERLAPS.add(found)
        return found

    def forget_writer(self) -> None:
        """In a forked child: the parent's writer thread does not exist here."""
        self.writer, self.pending = None, None

    def join(self, raise_error: bool = True) -> None:
        if self.pending is not None:
            self.pending.result()  # write() keeps its own error in self.error
            self.pending = None
        error, self.error = self.error, None
        if error is not None and raise_error:
            # The thread wrote through the raw psycopg connection: raise its error as
            # Django's own (IntegrityError, …), or ``atomic()`` would not see a database
            # error, would not roll back to its savepoint, and the caller's next statement
            # would meet an aborted transaction.
            with self.connection.wrap_database_errors:
                raise error

    def _sequence(self, cursor: Any, table: str, column: str) -> str | None:
        if table not in self.sequences:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            self.sequences[table] = cursor.fetchone()[0]
        return self.sequences[table]

    def _deferred_fks(self, cursor: Any, table: str) -> list[str]:
        """The table's deferred foreign keys (Django makes every one DEFERRABLE INITIALLY
        DEFERRED), checked when its rows are written instead of at commit."""
        if table not in self.foreign_keys:
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'f' AND condeferrable AND condeferred",
                [table],
            )
            self.foreign_keys[table] = [r[0] for r in cursor.fetchall()]
        return self.foreign_keys[table]

    def _reserve(self, cursor: Any, sequence: str, n: int) -> list[int]:
        pool = self.pool.setdefault(sequence, [])
        if len(pool) < n:
            self._refill(cursor, sequence, n)
        taken = pool[:n]
        del pool[:n]
        return taken

    def _refill(self, cursor: Any, sequence: str, n: int = 0) -> None:
        """Reserve more keys: ``cursor`` is Django's (the caller's thread) or psycopg's
        (the write thread, topping the pool up for the next batch while the caller works;
        the caller reads the pool only after :meth:`join`)."""
        cursor.execute(
            "SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, max(RESERVE, n)]
        )
        self.pool[sequence].extend(r[0] for r in cursor.fetchall())

    def insert(
        self,
        model: type[models.Model],
        objs: Sequence[models.Model],
        fields: list[models.Field],
        rows: list[list[Any]],
        *,
        now: Any,
        user: Any,
        change_reason: str,
    ) -> bool:
        """Start writing ``rows`` (and their history); False when the table's key has no
        sequence (the caller then inserts the usual way)."""
        opts = model._meta
        qn = self.connection.ops.quote_name
        history = getattr(model, "history", None)
        with self.connection.cursor() as cursor:  # waits for the previous write
            self.join()
            sequence = self._sequence(cursor, opts.db_table, opts.pk.column)
            if sequence is None:
                return False
            ids = self._reserve(cursor, sequence, len(objs))
            names = [opts.pk.column, *(f.column for f in fields)]
            signature = (opts.db_table, *names)
            if signature not in self.copy_types:
                self.copy_types[signature] = _binary_copy_types(cursor, opts.db_table, names)
            types = self.copy_types[signature]
            fks = list(self._deferred_fks(cursor, opts.db_table))
            history_sql, history_params = None, []
            if history is not None:
                htable = history.model._meta.db_table
                fks += self._deferred_fks(cursor, htable)
                history_sql, history_params = self._history_statement(
                    model, now=now, user=user, change_reason=change_reason
                )
        for obj, pk_value in zip(objs, ids, strict=True):
            obj.pk = pk_value
        constraints = ", ".join(qn(n) for n in fks)
        raw = self.connection.connection

        def write() -> None:
            try:
                with raw.cursor() as cur:
                    if constraints:
                        cur.execute(f"SET CONSTRAINTS {constraints} IMMEDIATE")
                    _copy_rows(cur, opts.db_table, names, types, rows, ids, qn)
                    if history_sql is not None:
                        cur.execute(history_sql, [*history_params, ids])
                    if constraints:
                        cur.execute(f"SET CONSTRAINTS {constraints} DEFERRED")
                    if len(self.pool[sequence]) < len(ids):  # keys for the next batch
                        self._refill(cur, sequence, len(ids))
            except BaseException as exc:  # raised again by join() in the caller's thread
                logger.error("overlapped insert into %s failed: %s", opts.db_table, exc)
                self.error = exc

        if self.writer is None:
            self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhujian-pg-write")
        self.pending = self.writer.submit(write)
        return True

    def _history_statement(
        self, model: type[models.Model], *, now: Any, user: Any, change_reason: str
    ) -> tuple[str, list[Any]]:
        """``INSERT INTO <history> (…) SELECT … FROM <table> WHERE pk = ANY(%s)``: the same
        ``+`` rows ``bulk_create_with_history`` writes, copied by the server."""
        qn = self.connection.ops.quote_name
        opts = model._meta
        hmodel = model.history.model
        hopts = hmodel._meta
        tracked = {f.attname for f in hmodel.tracked_fields}
        special = {
            "history_date": now,
            "history_change_reason": change_reason,
            "history_type": "+",
            "history_user_id": getattr(user, "pk", None),
        }
        columns, values, params = [], [], []
        for f in hopts.concrete_fields:
            if isinstance(f, models.AutoField):
                continue
            columns.append(qn(f.column))
            if f.attname in special:
                values.append("%s")
                params.append(special[f.attname])
            elif f.attname in tracked:
                source = next(s for s in opts.concrete_fields if s.attname == f.attname)
                values.append(f"t.{qn(source.column)}")
            elif f.attname == "history_relation_id":
                values.append(f"t.{qn(opts.pk.column)}")
            else:
                values.append("%s")
                params.append(f.get_db_prep_save(f.get_default(), self.connection))
        sql = (
            f"INSERT INTO {qn(hopts.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM {qn(opts.db_table)} t "
            f"WHERE t.{qn(opts.pk.column)} = ANY(%s) ORDER BY t.{qn(opts.pk.column)}"
        )
        return sql, params


class AnyOf(models.Lookup):
    """``field__any_of=[…]``: ``IN`` for a long list of values, sent on PostgreSQL as
    ``= ANY(%s)`` with one array parameter. psycopg parses a statement's placeholders on
    the client, ~10 µs each: an ``IN`` of 2,000 keys costs ~20 ms per import batch before
    the server sees it. Elsewhere it is the ordinary ``IN``."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Any, connection: Any) -> tuple[str, list[Any]]:
        field = self.lhs.output_field
        values = [field.get_db_prep_value(v, connection, prepared=False) for v in value]
        if connection.vendor == "postgresql":
            return "%s", [values]
        return "(" + ", ".join(["%s"] * len(values)) + ")", values

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if not self.rhs:
            return "1 = 0", []
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.get_db_prep_lookup(self.rhs, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
        return f"{lhs} IN {rhs}", [*lhs_params, *rhs_params]


models.Field.register_lookup(AnyOf)
models.ForeignObject.register_lookup(AnyOf)  # foreign keys have lookups of their own
