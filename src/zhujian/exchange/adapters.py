"""The adapter interface: what a target platform receives and how.

A domain declares, in its ``exchange.py``::

    adapters.register(WorkersPlatform())

An adapter names the records it sends (:class:`Kind`: a ledger model, its queryset, its
place in the sending order, how many rows one request may carry), maps each record to the
target's object (:meth:`Adapter.payload`, plain values: the digest that decides whether a
record changed is taken over it), and sends a batch (:meth:`Adapter.send`: signing,
encryption and transport are the adapter's), reads asynchronous receipts
(:meth:`Adapter.poll`) and, after a sender died mid-request, asks the platform whether a
record arrived (:meth:`Adapter.reconcile`) so that nothing is sent twice.
"""

from __future__ import annotations

import functools
import http.client
import json
import re
import socket
import urllib.error
import urllib.request
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from zhujian.exchange.models import Credential, Message, Outbox, Upload


class Unreachable(Exception):
    """The request certainly did not reach the platform (refused connection, DNS): safe
    to send again."""


class InDoubt(Exception):
    """The request may have reached the platform (a timeout after sending): ask the
    platform before sending again."""


class NotConfigured(Exception):
    """No address or keys for the target (or the record's project): the message is
    Chinese and names what is missing."""


@dataclass
class Result:
    """What became of one row: ``state`` is an :class:`Outbox.State` value, or ``"retry"``
    (the platform could not take it now: send again later)."""

    state: str
    reason: str = ""
    serial_code: str = ""
    upstream_id: str = ""
    upstream: dict[str, Any] = field(default_factory=dict)


@dataclass
class Item:
    """One row of a batch being sent: its outbox row, its upload, the record, the payload."""

    outbox: Outbox
    upload: Upload
    record: models.Model
    payload: dict[str, Any]

    @property
    def action(self) -> str:
        return self.outbox.action


@dataclass(frozen=True)
class Kind:
    """One kind of object a target receives, from one ledger model."""

    code: str  # the target's object name, e.g. "ProjectWorker"
    label: str  # in Chinese, e.g. "建筑工人"
    model: type[models.Model]
    order: int  # objects of a lower order are sent (and settled) first
    queryset: Callable[[], models.QuerySet] | None = None
    batch: int = 1  # rows one request may carry
    group: Callable[[models.Model], Hashable] | None = None  # rows of one request share it
    deletes: bool = False  # a record deleted here is sent as a deletion

    def records(self) -> models.QuerySet:
        qs = self.queryset() if self.queryset else self.model._default_manager.all()
        return qs.order_by("pk")


class Adapter(ABC):
    """One target platform. Subclasses set ``code``, ``label``, ``kinds`` and implement the
    abstract methods; the engine does the rest (state, outbox, leases, retries, logs)."""

    code: str = ""
    label: str = ""
    kinds: Sequence[Kind] = ()
    #: Chinese names of the identifiers kept in ``Upload.upstream`` (shown on its page).
    upstream_labels: dict[str, str] = {}
    #: Chinese names of the target's field codes, put in place of the codes in the
    #: platform's reasons where users read them (the outbox keeps the reply as it came).
    field_labels: dict[str, str] = {}
    #: Request fields whose values are personal: masked in the kept messages.
    personal_keys: frozenset[str] = frozenset()
    #: Seconds a claimed row stays leased to its sender (then another may reconcile it).
    lease_s: float = 120.0
    #: Seconds between two polls of one asynchronous receipt.
    poll_s: float = 5.0

    def begin(self) -> None:  # noqa: B027  (optional hook)
        """Called at the start of each run: drop what the adapter cached in the last one."""

    def batch_of(self, kind: Kind) -> int:
        """Rows one request may carry (default: the kind's)."""
        return kind.batch

    def kind(self, code: str) -> Kind:
        for k in self.kinds:
            if k.code == code:
                return k
        raise KeyError(code)

    # --- limits, from declared parameters (a county may change them) -----------------

    def rate_per_s(self) -> float:
        """Requests per second the platform allows (0: no limit)."""
        return 0.0

    def max_attempts(self) -> int:
        """Sends of one row before it is failed for good (the platform was unreachable)."""
        return 8

    def backoff_s(self, attempts: int) -> float:
        """Seconds to wait before sending a row again after ``attempts`` failed tries."""
        return min(3600.0, 5.0 * 2 ** max(0, attempts - 1))

    # --- mapping ------------------------------------------------------------------------

    @abstractmethod
    def payload(self, kind: Kind, record: models.Model) -> dict[str, Any]:
        """The target's object for ``record``, in plain values (the engine digests it to
        know whether the record changed; personal numbers are encrypted in :meth:`send`)."""

    def ready(self, kind: Kind, item: Item) -> str | None:
        """Why the row cannot be sent yet (a parent not uploaded): the reason in Chinese,
        which fails the row until the parent succeeds. None: send it."""
        return None

    def owner_key(self, kind: Kind, record: models.Model) -> str:
        """The key under which the record's credential is stored (default: the county's)."""
        return ""

    # --- transport ----------------------------------------------------------------------

    @abstractmethod
    def send(self, kind: Kind, items: list[Item]) -> dict[int, Result]:
        """Send one batch (same kind, group and action); the result of each outbox row by
        its id. Raises :class:`Unreachable` or :class:`InDoubt` when the link failed."""

    def poll(self, kind: Kind, items: list[Item]) -> dict[int, Result]:
        """The receipts of submitted rows sharing one ``serial_code``, by outbox id; a row
        left out is one the platform has not finished with (polled again later)."""
        return {item.outbox.pk: Result(Outbox.State.DONE) for item in items}

    @abstractmethod
    def reconcile(self, kind: Kind, item: Item) -> Result | None:
        """After a sender died with the row in flight: the platform's record of it, as a
        DONE result with its identifiers, or None when the platform does not have it."""

    # --- helpers for subclasses -----------------------------------------------------------

    def credential(self, key: str = "") -> Credential:
        """The enabled credential for ``key``, else the county's; :class:`NotConfigured`."""
        found = {
            c.key: c
            for c in Credential.objects.filter(target=self.code, key__in={key, ""}, enabled=True)
        }
        cred = found.get(key) or found.get("")
        if cred is None:
            what = f"（适用对象 {key}）" if key else ""
            raise NotConfigured(
                f"尚未设置“{self.label}”的接入信息{what}，请系统管理员在“上报平台接入设置”中填写"
            )
        return cred

    def explain(self, reason: str) -> str:
        """``reason`` with the target's field codes replaced by their Chinese names."""
        if not self.field_labels or not reason:
            return reason
        pattern = _labels_pattern(tuple(self.field_labels))
        return pattern.sub(lambda m: f"“{self.field_labels[m.group(1)]}”", reason)

    def mask(self, data: Any) -> Any:
        """``data`` with the values of :attr:`personal_keys` masked, for the kept messages."""
        if isinstance(data, dict):
            return {
                k: (_mask(v) if k in self.personal_keys else self.mask(v)) for k, v in data.items()
            }
        if isinstance(data, list):
            return [self.mask(v) for v in data]
        return data

    def log(
        self,
        method: str,
        request: dict[str, Any],
        *,
        request_id: str = "",
        status: int | None = None,
        reply: Any = None,
        error: str = "",
        rows: int = 0,
    ) -> Message:
        return Message.objects.create(
            target=self.code,
            method=method[:80],
            request_id=request_id or uuid.uuid4().hex,
            request=self.mask(request),
            status=status,
            reply=self.mask(reply) if isinstance(reply, dict | list) else {"text": str(reply)},
            error=error[:300],
            rows=rows,
        )


@functools.cache
def _labels_pattern(codes: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(sorted((re.escape(c) for c in codes), key=len, reverse=True))
    return re.compile(rf"\[?(?<![A-Za-z])({names})(?![A-Za-z])\]?")


def _mask(value: Any) -> str:
    text = "" if value is None else str(value)
    if len(text) <= 2:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 2) + text[-1]


def post(url: str, body: bytes, content_type: str, timeout: float) -> tuple[int, bytes]:
    """POST ``body``; map the link's failures to :class:`Unreachable` / :class:`InDoubt`."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError | socket.gaierror):
            raise Unreachable(f"无法连接平台：{reason}") from exc
        raise InDoubt(f"发送中断，平台可能已收到：{reason}") from exc
    except TimeoutError as exc:
        raise InDoubt(f"平台未在 {timeout:g} 秒内答复") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise InDoubt(f"连接被平台中断，平台可能已收到：{exc}") from exc


def json_reply(status: int, body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"code": str(status), "message": body[:200].decode("utf-8", "replace")}
    return value if isinstance(value, dict) else {"code": str(status), "message": str(value)}


class AdapterRegistry:
    def __init__(self) -> None:
        self._by_code: dict[str, Adapter] = {}

    def register(self, adapter: Adapter) -> Adapter:
        if adapter.code in self._by_code and type(self._by_code[adapter.code]) is not type(adapter):
            raise ValueError(f"adapter {adapter.code!r} registered twice")
        orders = [k.order for k in adapter.kinds]
        if len(set(orders)) != len(orders):
            raise ValueError(f"{adapter.code}: each kind needs an order of its own")
        self._by_code[adapter.code] = adapter
        return adapter

    def get(self, code: str) -> Adapter:
        try:
            return self._by_code[code]
        except KeyError:
            raise KeyError(f"没有名为 {code!r} 的上报平台") from None

    def label(self, code: str) -> str:
        adapter = self._by_code.get(code)
        return adapter.label if adapter else code

    def kind_label(self, target: str, kind: str) -> str:
        adapter = self._by_code.get(target)
        if adapter is None:
            return kind
        try:
            return adapter.kind(kind).label
        except KeyError:
            return kind

    def for_model(self, model: type[models.Model]) -> Iterator[tuple[Adapter, Kind]]:
        for adapter in self:
            for kind in adapter.kinds:
                if kind.model is model:
                    yield adapter, kind

    def __iter__(self) -> Iterator[Adapter]:
        return iter(list(self._by_code.values()))

    def choices(self) -> list[tuple[str, str]]:
        return [(a.code, a.label) for a in self]


adapters = AdapterRegistry()
