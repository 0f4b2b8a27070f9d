"""Backups of the database and the uploaded files in one archive, and their restore.

An archive (``.tar.gz``) holds:

- ``manifest.json``: format, time, versions (Zhujian, Django, Python, database server,
  ``pg_dump``), the applied migrations, and the size and SHA-256 of every other member;
- ``database.sqlite3`` — SQLite's online backup API (``sqlite3.Connection.backup``): a
  consistent copy while the server writes; or ``database.pgdump`` — ``pg_dump -Fc``,
  which reads one snapshot and blocks no writer;
- ``media/…``: the uploaded files (``MEDIA_ROOT``), copied *after* the database, so that
  every file a row of the copy names is already there (uploads are written before their
  row).

:func:`restore` checks the manifest and every checksum before it touches anything, and
restores only into an empty database (tables of any kind count) unless forced. It
extracts exactly the files the manifest lists, each a regular file of its declared size
and checksum, after checking that they fit on the disk; a link, a device, an unlisted or
repeated member, or a path that is absolute or climbs out (``..``) refuses the archive
with a Chinese message, before anything is touched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import django
from django.conf import settings
from django.db import OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from zhujian.core import audit

FORMAT = "zhujian-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MEDIA = "media"


class BackupError(Exception):
    """Why a backup or restore cannot be done, in the administrator's words (Chinese)."""


@dataclass
class RestoreReport:
    vendor: str
    media_files: int
    behind: list[str]  # migrations of this code the backup had not applied yet


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env() -> dict[str, str]:
    """libpq's environment for the configured database (no password on a command line)."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    env["PGDATABASE"] = str(db["NAME"])
    if sslmode := (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run(args: list[str], what: str) -> str:
    try:
        done = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"找不到 {args[0]}：请安装与数据库服务器版本相同或更新的 PostgreSQL 客户端"
            "（Debian：apt-get install postgresql-client）。"
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{what}失败：{done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def applied_migrations() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        out.setdefault(app, []).append(name)
    return out


def _server_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return str(cursor.fetchone()[0])


def _dump_database(work: Path) -> tuple[str, dict[str, Any]]:
    info: dict[str, Any] = {"vendor": connection.vendor, "server_version": _server_version()}
    if connection.vendor == "sqlite":
        target = work / SQLITE_MEMBER
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=30)
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)  # one consistent snapshot, readers and writers go on
        finally:
            dest.close()
            source.close()
        return SQLITE_MEMBER, info
    if connection.vendor == "postgresql":
        target = work / PG_MEMBER
        info["pg_dump"] = _run(["pg_dump", "--version"], "pg_dump").strip()
        _run(["pg_dump", "-Fc", "--no-owner", "--no-privileges", "-f", str(target)], "pg_dump")
        return PG_MEMBER, info
    raise BackupError(f"不支持备份 {connection.vendor} 数据库（只支持 SQLite 和 PostgreSQL）")


def backup(output: str | Path | None = None, log: Callable[[str], None] = print) -> Path:
    """Write an archive of the database and ``MEDIA_ROOT``; returns its path."""
    from zhujian import __version__

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    out = Path(output) if output else Path(settings.VAR_DIR) / "backups" / f"zhujian-{stamp}.tar.gz"
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".zhujian-backup-", dir=out.parent) as tmp:
        work = Path(tmp)
        member, db_info = _dump_database(work)
        files = {
            member: {"bytes": (work / member).stat().st_size, "sha256": _sha256(work / member)}
        }
        log(f"数据库（{db_info['vendor']}）已导出：{files[member]['bytes']:,} 字节")
        media_root = Path(settings.MEDIA_ROOT)
        media_files: list[Path] = []
        if media_root.is_dir():
            media_files = sorted(p for p in media_root.rglob("*") if p.is_file())
        for path in media_files:
            name = f"{MEDIA}/{path.relative_to(media_root).as_posix()}"
            files[name] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "versions": {
                "zhujian": __version__,
                "django": django.get_version(),
                "python": platform.python_version(),
            },
            "database": db_info,
            "migrations": applied_migrations(),
            "media": {
                "count": len(media_files),
                "bytes": sum(p.stat().st_size for p in media_files),
            },
            "files": files,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(work / member, arcname=member)
            for path in media_files:
                tar.add(path, arcname=f"{MEDIA}/{path.relative_to(media_root).as_posix()}")
        partial.replace(out)
    log(f"已写出备份 {out}（{out.stat().st_size:,} 字节，上传文件 {len(media_files)} 个）")
    try:
        audit.record(audit.Kind.BACKUP, f"备份 {out.name}（上传文件 {len(media_files)} 个）")
    except OperationalError as exc:  # SQLite: a long write of the running server holds the lock
        log(f"警告：备份已完成，但安全审计记录未能写入（数据库正忙：{exc}）；请在审计日志中补记")
    return out


# --- restore ------------------------------------------------------------------------------


#: The manifest is small JSON (a line per file): a larger member is no manifest of ours.
MANIFEST_MAX_BYTES = 64 << 20
#: Free space kept on the disk beyond what the archive's files take once extracted.
SPACE_MARGIN_BYTES = 64 << 20
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _bad(archive: Path, why: str) -> BackupError:
    return BackupError(
        f"{archive.name} 不是完整可信的 Zhujian 备份：{why}。已拒绝恢复，未改动任何数据。"
    )


def _safe_name(name: object) -> bool:
    """A relative POSIX path inside the archive: no absolute path, ``..``, empty or odd
    part, backslash or control character."""
    if not isinstance(name, str) or not name or len(name) > 1024 or "\\" in name:
        return False
    if name.startswith("/") or any(ord(ch) < 32 for ch in name):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def _check_manifest(archive: Path, manifest: Any) -> dict[str, Any]:
    """The manifest's shape, each listed file's name, size and checksum, in Chinese."""
    if not isinstance(manifest, dict):
        raise _bad(archive, "清单（manifest.json）不是对象")
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')!r}（应为 {FORMAT}）")
    database = manifest.get("database")
    if not isinstance(database, dict) or database.get("vendor") not in ("sqlite", "postgresql"):
        raise _bad(archive, "清单未写明数据库类型（sqlite 或 postgresql）")
    migrations = manifest.get("migrations")
    if not isinstance(migrations, dict) or not all(
        isinstance(app, str) and isinstance(names, list) and all(isinstance(n, str) for n in names)
        for app, names in migrations.items()
    ):
        raise _bad(archive, "清单中的数据库迁移列表格式不对")
    if not isinstance(manifest.get("created_at"), str):
        raise _bad(archive, "清单缺少备份时间")
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise _bad(archive, "清单没有列出文件")
    member = SQLITE_MEMBER if database["vendor"] == "sqlite" else PG_MEMBER
    if member not in files:
        raise _bad(archive, f"清单没有列出数据库文件 {member}")
    for name, meta in files.items():
        where = f"清单中的文件 {name[:200]!r}"
        if not _safe_name(name) or not (name == member or name.startswith(f"{MEDIA}/")):
            raise _bad(archive, f"{where}路径不合法（只允许 {member} 和 {MEDIA}/ 下的相对路径）")
        if not isinstance(meta, dict):
            raise _bad(archive, f"{where}缺少大小和校验和")
        size, digest = meta.get("bytes"), meta.get("sha256")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise _bad(archive, f"{where}的大小不是非负整数")
        if not isinstance(digest, str) or not _SHA256.match(digest):
            raise _bad(archive, f"{where}的 SHA-256 校验和格式不对")
    return manifest


def read_manifest(archive: Path) -> dict[str, Any]:
    """The archive's manifest, checked; it must be the archive's first member (as
    :func:`backup` writes it), a regular file of bounded size."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST:
                raise KeyError(MANIFEST)
            if not first.isreg() or first.size > MANIFEST_MAX_BYTES:
                raise ValueError("清单不是普通文件或过大")
            member = tar.extractfile(first)
            assert member is not None  # a regular file
            manifest = json.loads(member.read())
    except (tarfile.TarError, KeyError, ValueError, OSError, EOFError, zlib.error) as exc:
        raise BackupError(f"{archive} 不是 Zhujian 的备份文件（{exc}）") from None
    return _check_manifest(archive, manifest)


def _check_space(archive: Path, manifest: dict[str, Any], work: Path) -> None:
    """Refuse, before extracting anything, an archive whose files (as the manifest
    declares them, and each member is held to its declared size) would not fit: once in
    the work folder, and the uploads once more in ``MEDIA_ROOT``."""
    files = manifest["files"]
    total = sum(meta["bytes"] for meta in files.values())
    media = sum(meta["bytes"] for name, meta in files.items() if name.startswith(f"{MEDIA}/"))
    media_root = Path(settings.MEDIA_ROOT)
    media_root.mkdir(parents=True, exist_ok=True)
    need: dict[int, int] = {}
    for folder, size in ((work, total), (media_root, media)):
        device = folder.stat().st_dev
        need[device] = need.get(device, 0) + size
    for folder in (work, media_root):
        free = shutil.disk_usage(folder).free
        wanted = need.pop(folder.stat().st_dev, None)
        if wanted is not None and wanted + SPACE_MARGIN_BYTES > free:
            raise BackupError(
                f"磁盘空间不足：备份解开后需要 {wanted:,} 字节，{folder} 所在磁盘只剩 "
                f"{free:,} 字节。已拒绝恢复，未改动任何数据。"
            )


def _extract(archive: Path, manifest: dict[str, Any], work: Path) -> None:
    """Extract exactly the manifest's files into ``work``, each checked as it is read:
    a regular file, listed, once, of its declared size, with its declared SHA-256.
    Anything else (a link, a device, a folder entry, a member the manifest does not
    list, a second copy of a member) refuses the whole archive."""
    files = manifest["files"]
    seen: set[str] = set()
    try:
        with tarfile.open(archive, "r:gz") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST:
                raise _bad(archive, "第一个成员不是清单")
            while (member := tar.next()) is not None:
                name = member.name
                shown = name[:200]
                if name == MANIFEST or name in seen:
                    raise _bad(archive, f"成员 {shown!r} 出现了不止一次")
                if name not in files:
                    raise _bad(archive, f"含有清单未列出的成员 {shown!r}")
                if not member.isreg():
                    kind = "链接" if member.issym() or member.islnk() else "特殊文件或目录"
                    raise _bad(archive, f"成员 {shown!r} 是{kind}，备份中只应有普通文件")
                meta = files[name]
                if member.size != meta["bytes"]:
                    raise _bad(
                        archive,
                        f"成员 {shown!r} 的大小 {member.size:,} 字节与清单的 {meta['bytes']:,} 字节不符",
                    )
                target = work.joinpath(*name.split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None  # a regular file
                if _copy_hashed(source, target) != meta["sha256"]:
                    raise BackupError(f"备份文件已损坏：{name} 的校验和不符")
                seen.add(name)
    except BackupError:
        raise
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise _bad(archive, f"读取时出错（{exc}）") from None
    missing = sorted(set(files) - seen)
    if missing:
        raise BackupError(
            f"备份文件不完整：缺少 {missing[0]}"
            + (f" 等 {len(missing)} 个文件" if len(missing) > 1 else "")
        )


def _copy_hashed(source: IO[bytes], target: Path) -> str:
    """Copy ``source`` into the new file ``target``; its SHA-256."""
    digest = hashlib.sha256()
    with open(target, "xb") as out:
        while block := source.read(1 << 20):
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def verified_copy(archive: str | Path, work: Path) -> dict[str, Any]:
    """Check ``archive`` and extract exactly its manifest's files into the empty folder
    ``work``; returns the manifest. Raises :class:`BackupError` (Chinese) for anything
    damaged or crafted, having written at most the declared bytes."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    _check_space(archive, manifest, work)
    _extract(archive, manifest, work)
    return manifest


def database_is_empty() -> bool:
    return not connection.introspection.table_names(include_views=True)


def _media_is_empty() -> bool:
    root = Path(settings.MEDIA_ROOT)
    return not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def _check_migrations(manifest: dict[str, Any]) -> list[str]:
    """Refuse a backup from newer code; list this code's migrations it lacks."""
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    saved = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    unknown = sorted(f"{a}.{n}" for a, n in saved - set(known))
    if unknown:
        raise BackupError(
            "备份来自更新版本的 Zhujian，其中有本程序不认识的数据库迁移："
            f"{'、'.join(unknown[:5])}{' 等' if len(unknown) > 5 else ''}。请先升级程序再恢复。"
        )
    return sorted(f"{a}.{n}" for a, n in set(known) - saved)


def _clear_database() -> None:
    if connection.vendor == "sqlite":
        return  # the backup API replaces the whole file's content
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")


def _restore_database(work: Path, member: str) -> None:
    if connection.vendor == "sqlite":
        name = settings.DATABASES["default"]["NAME"]
        connection.close()
        source = sqlite3.connect(work / member)
        dest = sqlite3.connect(name, timeout=30)
        try:
            source.backup(dest)
        except sqlite3.Error as exc:
            raise BackupError(f"备份中的数据库文件无法读取（{exc}），未能恢复数据库。") from None
        finally:
            dest.close()
            source.close()
        return
    connection.close()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "-d",
            _pg_env()["PGDATABASE"],
            str(work / member),
        ],
        "pg_restore",
    )


def _restore_media(work: Path, manifest: dict[str, Any]) -> int:
    """Copy the manifest's uploads (and nothing else) into ``MEDIA_ROOT``."""
    root = Path(settings.MEDIA_ROOT)
    if root.exists() and any(root.iterdir()):
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        root.rename(root.with_name(f"{root.name}.before-restore-{stamp}"))
    root.mkdir(parents=True, exist_ok=True)
    count = 0
    for name in sorted(manifest["files"]):
        if not name.startswith(f"{MEDIA}/"):
            continue
        parts = name.split("/")[1:]
        target = root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(work.joinpath(*name.split("/")), target)
        count += 1
    return count


def restore(
    archive: str | Path, *, force: bool = False, log: Callable[[str], None] = print
) -> RestoreReport:
    """Restore ``archive`` into the configured (empty) database and ``MEDIA_ROOT``."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"该备份来自 {vendor} 数据库，不能恢复到当前配置的 {connection.vendor} 数据库。"
        )
    behind = _check_migrations(manifest)
    if not force:
        busy = []
        if not database_is_empty():
            busy.append("数据库")
        if not _media_is_empty():
            busy.append(f"上传文件目录 {settings.MEDIA_ROOT}")
        if busy:
            raise BackupError(
                f"{'和'.join(busy)}不是空的，拒绝恢复以免覆盖现有数据。"
                "请恢复到新建的空数据库；确需覆盖现有数据时加 --force。"
            )
    member = SQLITE_MEMBER if vendor == "sqlite" else PG_MEMBER
    parent = Path(settings.VAR_DIR)
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".zhujian-restore-", dir=parent) as tmp:
        work = Path(tmp)
        manifest = verified_copy(archive, work)
        log(f"备份 {archive.name} 校验通过（{manifest['created_at']}，{vendor}）")
        if force:
            _clear_database()
        _restore_database(work, member)
        log("数据库已恢复")
        media = _restore_media(work, manifest)
        log(f"上传文件已恢复：{media} 个")
    if behind:
        log(f"备份缺少本程序的 {len(behind)} 个数据库迁移：请接着运行 zhujian migrate")
    if not behind:  # the restored tables are this program's: the chain goes on from them
        audit.record(audit.Kind.RESTORE, f"从备份 {archive.name} 恢复（{vendor}）")
    return RestoreReport(vendor, media, behind)
