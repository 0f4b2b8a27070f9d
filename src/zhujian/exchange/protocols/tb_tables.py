"""Transport for the provincial 建筑市场监管一体化平台's TB* tables
(《全国建筑市场监管公共服务平台工程项目信息数据标准》).

The standard defines tables, fields and dictionaries, not a transport; provinces use a
SOAP service (江苏), a front database (工改 前置库) or an HTTP gateway
(docs/exchange-research.md §b). Zhujian keeps the row mapping (the standard's) apart
from this module (one province's gateway): rows of one table are POSTed as JSON to
``<base>/tb/<Table>`` with the sender's 6-digit area code as ``user``, a timestamp and an
HMAC-SHA256 signature over the canonical body with the county's secret; the reply lists,
per row, ``PKID`` (our key, 地方数据主键), ``OperateState`` (1 accepted, 2 refused),
``Msg`` and, for a new ``TBProjectInfo`` row, the ``PrjNum`` the province assigned.
``<base>/tb/<Table>/query`` returns the province's row for a ``PKID`` (reconciliation).
Another province's transport replaces this module, not the adapter's mapping.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from zhujian.exchange.adapters import json_reply, post

ACCEPTED, REFUSED = 1, 2


def canonical(body: dict[str, Any]) -> str:
    return json.dumps(
        {k: v for k, v in body.items() if k != "sign"},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def sign(body: dict[str, Any], secret: str) -> str:
    return hmac.new(secret.encode(), canonical(body).encode(), hashlib.sha256).hexdigest()


@dataclass
class Client:
    base_url: str
    user: str
    secret: str
    timeout: float = 30.0

    def body(self, rows: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "user": self.user,
            "timestamp": dt.datetime.now().strftime("%Y%m%d%H%M%S"),
            **extra,
        }
        if rows is not None:
            body["rows"] = rows
        body["sign"] = sign(body, self.secret)
        return body

    def call(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        url = f"{self.base_url.rstrip('/')}/tb/{path}"
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        status, reply = post(url, raw, "application/json; charset=utf-8", self.timeout)
        return status, json_reply(status, reply)
