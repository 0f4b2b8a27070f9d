"""The workers' platform signing and encryption rules against values computed by hand
from the published description (no database)."""

from __future__ import annotations

import hashlib

import pytest

from zhujian.exchange.protocols import workers_platform as wp

SECRET = "0123456789ABCDEF0123456789abcdef"


def test_sign_is_sha256_of_sorted_lower_cased_pairs_and_the_secret() -> None:
    params = {
        "version": "1.0",
        "method": "Team.Add",
        "appid": "ABC",
        "data": '{"teamName":"A班组"}',
        "format": "json",
        "nonce": "n1",
        "timestamp": "20261207120000",
    }
    text = (
        'appid=ABC&data={"teamName":"A班组"}&format=json&method=Team.Add&nonce=n1'
        f"&timestamp=20261207120000&version=1.0&appsecret={SECRET}"
    ).lower()
    assert wp.sign_string(params, SECRET) == text
    assert wp.sign(params, SECRET) == hashlib.sha256(text.encode()).hexdigest()
    assert wp.sign({**params, "sign": "ignored"}, SECRET) == wp.sign(params, SECRET)
    assert wp.sign({**params, "nonce": "n2"}, SECRET) != wp.sign(params, SECRET)


def test_aes_cbc_with_the_secret_and_its_first_16_bytes_as_iv() -> None:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    token = wp.encrypt("430521199001011234", SECRET)
    assert len(token) == 44  # 18 digits → two AES blocks → 44 Base64 characters
    assert wp.decrypt(token, SECRET) == "430521199001011234"
    raw = __import__("base64").b64decode(token)
    dec = Cipher(algorithms.AES(SECRET.encode()), modes.CBC(SECRET[:16].encode())).decryptor()
    plain = dec.update(raw) + dec.finalize()
    assert plain == b"430521199001011234" + bytes([14]) * 14  # PKCS7 padding
    with pytest.raises(ValueError):
        wp.encrypt("1", "short")
    with pytest.raises(ValueError):
        wp.decrypt(token, SECRET[::-1])


def test_form_carries_the_seven_fields_and_a_valid_sign() -> None:
    client = wp.Client("http://127.0.0.1:1", "APP", SECRET)
    form = client.form("ProjectWorker.Add", {"k": "值"})
    assert set(form) == {*wp.SIGNED, "sign"}
    assert form["format"] == "json" and form["version"] == "1.0"
    assert len(form["timestamp"]) == 14 and form["timestamp"].isdigit()
    assert form["sign"] == wp.sign({k: form[k] for k in wp.SIGNED}, SECRET)
    assert client.url == "http://127.0.0.1:1/open.api"
