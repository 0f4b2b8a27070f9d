"""Rate limits count in Django's cache, which every process of the server must share:
gunicorn runs several workers, and a per-process cache would let each count alone."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.ops.conftest import ROOT

SNIPPET = """
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhujian.settings")
django.setup()
from django.conf import settings
from django.core.cache import cache
key, value = sys.argv[1], sys.argv[2]
if value:
    cache.set(key, int(value), 60)
print(settings.CACHES["default"]["BACKEND"], cache.get(key))
"""


def _other_process(key: str, value: str = "", **env: str) -> str:
    """Another server process (as a gunicorn worker would be): sets ``key`` to ``value``
    (if given) in its cache and answers its backend and what it reads for ``key``."""
    done = subprocess.run(
        [sys.executable, "-c", SNIPPET, key, value],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
            "ZHUJIAN_VAR_DIR": str(settings.VAR_DIR),
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_the_cache_is_shared_by_the_servers_processes() -> None:
    key = f"shared-{uuid.uuid4().hex}"
    cache.set(key, 7, 60)
    assert _other_process(key).endswith(" 7")  # this process wrote, another reads
    _other_process(key, "8")
    assert cache.get(key) == 8  # another process wrote, this one reads


def test_the_default_cache_needs_no_other_service() -> None:
    assert settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache")
    assert settings.CACHES["default"]["LOCATION"] == str(settings.VAR_DIR / "cache")


def test_a_cache_url_that_is_not_redis_is_refused_at_start() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SNIPPET, "k", ""],
        env={**os.environ, "ZHUJIAN_CACHE_URL": "memcached://127.0.0.1:11211"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "ZHUJIAN_CACHE_URL must be a redis:// URL" in done.stderr


def _redis_listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_listening(), reason="no Redis server on 127.0.0.1:6379")
def test_a_redis_cache_is_shared_too() -> None:
    """Two processes with ZHUJIAN_CACHE_URL pointing at one Redis see one count."""
    key = f"redis-{uuid.uuid4().hex}"
    url = "redis://127.0.0.1:6379/15"
    assert _other_process(key, "5", ZHUJIAN_CACHE_URL=url) == (
        "django.core.cache.backends.redis.RedisCache 5"
    )
    assert _other_process(key, ZHUJIAN_CACHE_URL=url).endswith(" 5")
