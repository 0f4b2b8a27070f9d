"""``zhujian backup`` / ``zhujian restore`` against a real database (a SQLite file or a
PostgreSQL database of its own): back up the demo county while another connection holds
an open write, wipe, restore, and compare the 2022H1 report's figures and every history
table (row counts and a checksum of their contents)."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest

import zhujian.core as core_app
from tests.ops.conftest import Scratch, _pg_admin

pytestmark = pytest.mark.django_db

UPLOAD = "imports/2022/06/乡镇上报.xlsx"


def _open_write(scratch: Scratch):
    """A connection with an uncommitted change, as a running server may have."""
    if scratch.vendor == "sqlite":
        conn = sqlite3.connect(scratch.sqlite_path, timeout=10, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE core_orgunit SET name = name || '（未提交）'")
        return conn
    import psycopg

    conn = psycopg.connect(scratch.url)
    conn.execute("UPDATE core_orgunit SET name = name || '（未提交）'")
    return conn


def _wipe(scratch: Scratch) -> None:
    """An empty database where the old one was, and no uploads."""
    if scratch.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch.sqlite_path}{suffix}").unlink(missing_ok=True)
    else:
        base = scratch.url.rsplit("/", 1)[0]
        _pg_admin(base + "/postgres", f'DROP DATABASE "{scratch.db_name}" WITH (FORCE)')
        _pg_admin(base + "/postgres", f'CREATE DATABASE "{scratch.db_name}"')
    for path in sorted((scratch.var_dir / "media").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def test_backup_wipe_restore_gives_the_same_figures_history_and_uploads(scratch: Scratch):
    upload = scratch.var_dir / "media" / UPLOAD
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"PK\x03\x04 an uploaded workbook")
    before = scratch.helper("fingerprint")
    assert before["history"]["party.PartyActivity"][0] > 0
    assert sum(n for n, _ in before["history"].values()) > 10_000

    archive = scratch.var_dir / "备份.tar.gz"
    writer = _open_write(scratch)
    try:
        scratch.run("backup", "-o", str(archive))  # the open write neither blocks nor leaks
    finally:
        writer.rollback() if scratch.vendor == "postgresql" else writer.execute("ROLLBACK")
        writer.close()
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database"]["vendor"] == scratch.vendor
    core_migrations = sorted(
        p.stem for p in (Path(core_app.__file__).parent / "migrations").glob("0*.py")
    )
    assert manifest["migrations"]["core"] == core_migrations
    assert f"media/{UPLOAD}" in manifest["files"] and manifest["media"]["count"] == 1

    _wipe(scratch)
    restored = scratch.run("restore", str(archive))
    assert "数据库已恢复" in restored.stdout
    assert scratch.helper("fingerprint") == before
    assert upload.read_bytes() == b"PK\x03\x04 an uploaded workbook"

    refused = scratch.run("restore", str(archive), check=False)
    assert refused.returncode != 0
    assert "数据库和上传文件目录" in refused.stderr and "--force" in refused.stderr
    scratch.run("restore", str(archive), "--force")
    assert scratch.helper("fingerprint") == before
    assert list(scratch.var_dir.glob("media.before-restore-*"))  # old uploads kept aside


def test_restore_refuses_a_damaged_archive(scratch: Scratch):
    archive = scratch.var_dir / "good.tar.gz"
    scratch.run("backup", "-o", str(archive))
    damaged = scratch.var_dir / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.startswith("database."):
                data = data[:-1] + bytes([data[-1] ^ 1])
            dst.addfile(member, io.BytesIO(data))
    _wipe(scratch)
    refused = scratch.run("restore", str(damaged), check=False)
    assert refused.returncode != 0 and "校验和不符" in refused.stderr
    not_a_backup = scratch.var_dir / "x.tar.gz"
    not_a_backup.write_bytes(b"not an archive")
    refused = scratch.run("restore", str(not_a_backup), check=False)
    assert "不是 Zhujian 的备份文件" in refused.stderr
