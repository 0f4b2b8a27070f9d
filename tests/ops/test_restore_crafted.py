"""Third security audit (docs/decisions/audit-3.md): ``zhujian restore`` of crafted
archives. It used to extract every member and copy whatever lay under ``media/`` into the
uploads folder — members the manifest does not list, link targets, files of any size — and
answered malformed manifests with tracebacks. Now exactly the manifest's files are
extracted, each a regular file of its declared size and checksum, after a disk-space
check, and anything else is refused in Chinese before a byte of data is touched."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.ops.conftest import ROOT, ZHUJIAN
from zhujian.ops import backup
from zhujian.ops.backup import BackupError

DB = b"SQLite format 3\x00 not really, but checksummed"


def _meta(data: bytes) -> dict:
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _manifest(files: dict[str, bytes], **extra) -> dict:
    return {
        "format": backup.FORMAT,
        "created_at": "2026-01-01T00:00:00+08:00",
        "versions": {},
        "database": {"vendor": "sqlite"},
        "migrations": {},
        "media": {"count": 0, "bytes": 0},
        "files": {name: _meta(data) for name, data in files.items()},
        **extra,
    }


def _archive(path: Path, manifest, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    """A .tar.gz with ``manifest`` first, then ``members`` (name and content, or a
    ready header for links and devices)."""
    with tarfile.open(path, "w:gz") as tar:
        raw = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
        info = tarfile.TarInfo(backup.MANIFEST)
        info.size = len(raw)
        tar.addfile(info, io.BytesIO(raw))
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
                continue
            name, data = member
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def work(tmp_path, settings) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_genuine_archive_gives_exactly_its_files(tmp_path, work):
    files = {backup.SQLITE_MEMBER: DB, "media/imports/表.xlsx": b"PK\x03\x04"}
    archive = _archive(tmp_path / "ok.tar.gz", _manifest(files), list(files.items()))
    backup.verified_copy(archive, work)
    assert _files(work) == sorted(files)
    assert (work / "media/imports/表.xlsx").read_bytes() == b"PK\x03\x04"


def test_a_member_the_manifest_does_not_list_is_refused(tmp_path, work):
    files = {backup.SQLITE_MEMBER: DB}
    members = [*files.items(), ("media/planted.html", b"<script>")]
    archive = _archive(tmp_path / "a.tar.gz", _manifest(files), members)
    with pytest.raises(BackupError, match=re.escape("清单未列出的成员 'media/planted.html'")):
        backup.verified_copy(archive, work)
    assert "media/planted.html" not in _files(work)


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE])
def test_links_and_devices_are_refused(tmp_path, work, kind):
    files = {backup.SQLITE_MEMBER: DB, "media/secret.txt": b""}
    evil = tarfile.TarInfo("media/secret.txt")
    evil.type = kind
    evil.linkname = "/etc/passwd" if kind != tarfile.LNKTYPE else backup.SQLITE_MEMBER
    archive = _archive(tmp_path / "l.tar.gz", _manifest(files), [(backup.SQLITE_MEMBER, DB), evil])
    with pytest.raises(BackupError, match=r"链接|特殊文件"):
        backup.verified_copy(archive, work)
    assert "media/secret.txt" not in _files(work)


@pytest.mark.parametrize(
    "name", ["/etc/cron.d/x", "media/../../outside", "media/./x", "media//x", "media\\..\\x", "x"]
)
def test_absolute_climbing_or_foreign_paths_are_refused(tmp_path, work, name):
    files = {backup.SQLITE_MEMBER: DB, name: b"x"}
    archive = _archive(tmp_path / "p.tar.gz", _manifest(files), list(files.items()))
    with pytest.raises(BackupError, match="路径不合法"):
        backup.verified_copy(archive, work)
    assert not (tmp_path / "outside").exists()
    assert _files(work) == []


def test_a_member_larger_than_declared_is_refused_before_it_is_written(tmp_path, work):
    huge = b"\0" * (20 << 20)  # 20 MiB of zeros: 20 KB once compressed
    files = {backup.SQLITE_MEMBER: DB, "media/small.txt": b"tiny"}
    members = [(backup.SQLITE_MEMBER, DB), ("media/small.txt", huge)]
    archive = _archive(tmp_path / "h.tar.gz", _manifest(files), members)
    assert archive.stat().st_size < 1 << 20
    with pytest.raises(BackupError, match="大小 20,971,520 字节与清单的 4 字节不符"):
        backup.verified_copy(archive, work)
    assert sum(p.stat().st_size for p in work.rglob("*") if p.is_file()) == len(DB)


def test_an_archive_that_would_not_fit_on_the_disk_is_refused_before_extracting(
    tmp_path, work, monkeypatch
):
    files = {backup.SQLITE_MEMBER: DB}
    manifest = _manifest(files)
    manifest["files"]["media/big.bin"] = {"bytes": 10**15, "sha256": "0" * 64}  # 1 PB
    archive = _archive(tmp_path / "s.tar.gz", manifest, list(files.items()))
    with pytest.raises(BackupError, match="磁盘空间不足"):
        backup.verified_copy(archive, work)
    assert _files(work) == []
    # the margin counts too: an archive that fits only without it is refused
    free = shutil.disk_usage(work).free
    monkeypatch.setattr(
        backup.shutil, "disk_usage", lambda _p: shutil._ntuple_diskusage(free, 0, len(DB))
    )
    small = _archive(tmp_path / "t.tar.gz", _manifest(files), list(files.items()))
    with pytest.raises(BackupError, match="磁盘空间不足"):
        backup.verified_copy(small, work)


def test_a_repeated_member_cannot_replace_a_verified_one(tmp_path, work):
    files = {backup.SQLITE_MEMBER: DB}
    members = [(backup.SQLITE_MEMBER, DB), (backup.SQLITE_MEMBER, DB)]
    archive = _archive(tmp_path / "d.tar.gz", _manifest(files), members)
    with pytest.raises(BackupError, match="出现了不止一次"):
        backup.verified_copy(archive, work)


def test_checksums_and_missing_files_are_checked(tmp_path, work):
    files = {backup.SQLITE_MEMBER: DB, "media/a.txt": b"abc"}
    bad = _archive(
        tmp_path / "c.tar.gz",
        _manifest(files),
        [(backup.SQLITE_MEMBER, DB), ("media/a.txt", b"abd")],
    )
    with pytest.raises(BackupError, match=re.escape("media/a.txt 的校验和不符")):
        backup.verified_copy(bad, work)
    shutil.rmtree(work)
    work.mkdir()
    short = _archive(tmp_path / "m.tar.gz", _manifest(files), [(backup.SQLITE_MEMBER, DB)])
    with pytest.raises(BackupError, match=re.escape("缺少 media/a.txt")):
        backup.verified_copy(short, work)


@pytest.mark.parametrize(
    "manifest",
    [
        b"[1, 2]",
        b"{not json",
        {"format": backup.FORMAT},
        {**_manifest({backup.SQLITE_MEMBER: DB}), "files": [backup.SQLITE_MEMBER]},
        {**_manifest({backup.SQLITE_MEMBER: DB}), "migrations": {"core": 7}},
        {**_manifest({}), "files": {backup.SQLITE_MEMBER: {"bytes": "1", "sha256": "x"}}},
        {**_manifest({}), "files": {backup.SQLITE_MEMBER: {"bytes": -1, "sha256": "0" * 64}}},
        {**_manifest({"media/a": b"a"})},  # no database member
    ],
    ids=["list", "broken", "no-files", "files-list", "migrations", "types", "negative", "no-db"],
)
def test_malformed_manifests_are_refused_in_chinese(tmp_path, work, manifest):
    archive = _archive(tmp_path / "f.tar.gz", manifest, [(backup.SQLITE_MEMBER, DB)])
    with pytest.raises(BackupError) as refused:
        backup.verified_copy(archive, work)
    assert "备份" in str(refused.value)


def test_a_truncated_or_foreign_file_is_refused_in_chinese(tmp_path, work):
    files = {backup.SQLITE_MEMBER: DB * 5000}
    good = _archive(tmp_path / "g.tar.gz", _manifest(files), list(files.items()))
    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes(good.read_bytes()[:-200])
    with pytest.raises(BackupError, match=r"读取时出错|不是 Zhujian 的备份文件"):
        backup.verified_copy(truncated, work)
    plain = tmp_path / "plain.tar"  # an uncompressed tar is no backup of ours either
    with tarfile.open(plain, "w") as tar:
        tar.add(good, arcname=backup.MANIFEST)
    with pytest.raises(BackupError, match="不是 Zhujian 的备份文件"):
        backup.verified_copy(plain, work)


def _cli_restore(archive: Path, var_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        ZHUJIAN_VAR_DIR=str(var_dir),
        ZHUJIAN_SECRET_KEY="tests-only-not-a-secret",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "src")]),
    )
    return subprocess.run(
        [ZHUJIAN, "restore", str(archive)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_refuses_crafted_archives_without_a_traceback(tmp_path):
    """Through ``zhujian restore`` into an empty SQLite database: a planted upload beside a
    genuine database, and a manifest of the wrong shape."""
    db = tmp_path / "source.sqlite3"
    sqlite3.connect(db).close()
    data = db.read_bytes()
    files = {backup.SQLITE_MEMBER: data}
    planted = _archive(
        tmp_path / "planted.tar.gz",
        _manifest(files),
        [*files.items(), ("media/planted.html", b"<script>")],
    )
    shapeless = _archive(
        tmp_path / "shapeless.tar.gz",
        {**_manifest(files), "files": "everything"},
        list(files.items()),
    )
    var_dir = tmp_path / "var"
    for archive, message in ((planted, "清单未列出的成员"), (shapeless, "清单没有列出文件")):
        done = _cli_restore(archive, var_dir)
        assert done.returncode != 0, done.stdout
        assert message in done.stderr
        assert "Traceback" not in done.stderr
    assert not (var_dir / "media" / "planted.html").exists()
