"""Where an import's look-ups run: beside its own writes, on PostgreSQL.

On PostgreSQL :mod:`zhujian.imports.bulk` writes a batch's new records from a thread on
the import's connection while the importer checks the next batch. Every statement on
that connection waits for the write, and the next batch's look-ups (which of its keys
already exist, and which of those the user may change) are statements: with one
connection, the import's wall time was the client's and the server's work added up.

The look-ups therefore run on a second connection, in autocommit, from a thread of
their own (:class:`Side`): the next batch's look-up runs while the import waits for the
previous batch's write to finish. They do so when that connection sees what
the import's own transaction would see. It does when the import's transaction is the
outermost one, because then nothing else of that transaction has been written yet, and
the import writes only the ledger's records, each key at most once (a key repeated in
a file is refused in Python), so a record this import created or changed is never
looked up again. An import inside a caller's transaction (the demo build, a test),
and a ledger whose ``after_import`` writes other records, keep their look-ups on the
one connection. Concurrent writers are seen as one connection would see them: under
READ COMMITTED each statement sees what was committed when it began.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import DatabaseError, connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger("zhujian.imports")

T = TypeVar("T")


class Side:
    """A second connection and the one thread that uses it: ``submit(fn)`` runs
    ``fn(connection)`` there, one call at a time (Django lets a connection be shared with
    another thread only when told so)."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhujian-reads")
        connection.inc_thread_sharing()

    def submit(self, fn: Callable[[BaseDatabaseWrapper], T]) -> Future[T]:
        return self.executor.submit(fn, self.connection)

    def close(self) -> None:
        self.executor.shutdown(wait=True)  # a look-up still running finishes first
        self.connection.dec_thread_sharing()
        self.connection.close()


@contextmanager
def beside(model: type[models.Model]) -> Iterator[Side | None]:
    """A second connection for the look-ups of an import into ``model``, or None where
    they must stay on the import's own connection. Closed when the block ends."""
    alias = router.db_for_write(model)
    main = connections[alias]
    if (
        main.vendor != "postgresql"
        or main.in_atomic_block  # inside a caller's transaction: its rows are not committed
        or getattr(model, "after_import", None) is not None  # writes beyond its own keys
    ):
        yield None
        return
    side = connections.create_connection(alias)
    try:
        side.ensure_connection()
    except DatabaseError as exc:  # e.g. no connection slot left: one connection will do
        logger.warning("import look-ups stay on the import's connection: %s", exc)
        side.close()
        yield None
        return
    reads = Side(side)
    try:
        yield reads
    finally:
        reads.close()


def rows(
    queryset: models.QuerySet, fields: Sequence[str], on: BaseDatabaseWrapper | None
) -> Iterator[tuple[Any, ...]]:
    """The ``fields`` of ``queryset``'s rows, read through connection ``on`` (None: the
    queryset's own)."""
    values = queryset.values_list(*fields)
    if on is None:
        yield from values
        return
    compiler = values.query.get_compiler(connection=on)
    yield from compiler.results_iter(tuple_expected=True)


def records(
    queryset: models.QuerySet, attnames: Sequence[str], on: BaseDatabaseWrapper | None
) -> Iterator[models.Model]:
    """``queryset``'s records with only ``attnames`` loaded (any other field is deferred
    and, if read, loaded from the model's own database, never from ``on``)."""
    model = queryset.model
    loaded = [f.attname for f in model._meta.concrete_fields if f.attname in set(attnames)]
    db = router.db_for_write(model)
    for values in rows(queryset, loaded, on):
        yield model.from_db(db, loaded, values)
