"""The open interface of the 全国建筑工人管理服务信息平台 (建办市函〔2018〕603号), as the
national endpoint and the provinces that copy it implement it (docs/exchange-research.md §a):

- a form POST to ``<base>/open.api`` with ``appid``, ``data`` (JSON text), ``format=json``,
  ``method``, ``nonce``, ``timestamp`` (``yyyyMMddHHmmss``), ``version=1.0`` and ``sign``;
- ``sign`` = SHA-256 (lower-case hex) of ``k=v&…`` over those fields in alphabetical order,
  values raw, followed by ``&appsecret=<secret>``, the whole string lower-cased;
- ID and bank-card numbers are AES/CBC/PKCS7 with the project's secret as key and its first
  16 characters as IV, Base64;
- writes answer a ``requestSerialCode``; ``AsyncHandleResult.Query`` gives its status
  (``0`` 待处理, ``10`` 处理失败, ``20`` 处理成功) and result.

Written from the published descriptions; no vendor's code is used. Both the client (the
adapter) and the fake platform of the tests use these functions, so each is tested against
fixed vectors in tests/exchange/test_workers_protocol.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from zhujian.exchange.adapters import json_reply, post

SIGNED = ("appid", "data", "format", "method", "nonce", "timestamp", "version")
ASYNC_PENDING, ASYNC_FAILED, ASYNC_DONE = "0", "10", "20"


def sign_string(params: dict[str, str], secret: str) -> str:
    """The text that is hashed: sorted ``k=v`` pairs, ``&appsecret=``, lower-cased."""
    pairs = "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign")
    return f"{pairs}&appsecret={secret}".lower()


def sign(params: dict[str, str], secret: str) -> str:
    return hashlib.sha256(sign_string(params, secret).encode("utf-8")).hexdigest()


def _key_iv(secret: str) -> tuple[bytes, bytes]:
    key = secret.encode("utf-8")
    if len(key) not in (16, 24, 32):
        raise ValueError("平台密钥长度应为16、24或32个字符")
    return key, key[:16]


def encrypt(plain: str, secret: str) -> str:
    """AES/CBC/PKCS7 of ``plain`` with the project secret (key) and its first 16 bytes
    (IV), Base64: how the platform wants ID and bank-card numbers."""
    key, iv = _key_iv(secret)
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain.encode("utf-8")) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(enc.update(data) + enc.finalize()).decode("ascii")


def decrypt(token: str, secret: str) -> str:
    key, iv = _key_iv(secret)
    raw = base64.b64decode(token, validate=True)
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    data = dec.update(raw) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(data) + unpadder.finalize()).decode("utf-8")


def timestamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now()).strftime("%Y%m%d%H%M%S")


@dataclass
class Timing:
    """Seconds spent signing and encrypting (the benchmark reports them)."""

    signing: float = 0.0
    encrypting: float = 0.0
    fields: dict[str, float] = field(default_factory=dict)


TIMING = Timing()


def timed_encrypt(plain: str, secret: str) -> str:
    started = time.perf_counter()
    try:
        return encrypt(plain, secret)
    finally:
        TIMING.encrypting += time.perf_counter() - started


@dataclass
class Client:
    """One project's credentials on one platform endpoint."""

    base_url: str
    appid: str
    secret: str
    timeout: float = 30.0
    version: str = "1.0"

    @property
    def url(self) -> str:
        base = self.base_url.rstrip("/")
        return base if base.endswith("/open.api") else f"{base}/open.api"

    def form(self, method: str, data: dict[str, Any]) -> dict[str, str]:
        params = {
            "appid": self.appid,
            "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
            "format": "json",
            "method": method,
            "nonce": secrets.token_hex(16),
            "timestamp": timestamp(),
            "version": self.version,
        }
        started = time.perf_counter()
        params["sign"] = sign(params, self.secret)
        TIMING.signing += time.perf_counter() - started
        return params

    def call(self, method: str, data: dict[str, Any]) -> tuple[dict[str, str], int, dict]:
        """POST one call; returns the form sent, the HTTP status and the reply (JSON)."""
        params = self.form(method, data)
        body = urllib.parse.urlencode(params).encode("utf-8")
        status, raw = post(self.url, body, "application/x-www-form-urlencoded", self.timeout)
        return params, status, json_reply(status, raw)


def ok(reply: dict[str, Any]) -> bool:
    return str(reply.get("code")) == "0"
