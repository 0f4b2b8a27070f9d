"""Uploaded evidence: which files a ledger accepts, and how they are served back.

A ledger model declares an upload with :class:`EvidenceFileField`::

    photo = EvidenceFileField("现场照片", kinds=files.IMAGES, upload_to="hazards/photos/%Y/%m/")
    evidence_file = EvidenceFileField("佐证材料", upload_to="hazards/evidence/%Y/%m/")

and gets, from forms, the API and the model's own ``full_clean`` alike:

- only the kinds a bureau uses: images (jpg, png, gif, webp), PDF, Word/Excel/PowerPoint
  (doc, docx, xls, xlsx, ppt, pptx), WPS text (wps) and OFD; checked by the file's
  extension *and* by its content (its first bytes, and for Office/OFD packages the
  parts inside), never by the content type the browser claims;
- a size limit, ``settings.ZHUJIAN_UPLOAD_MAX_MB`` (default 20 MB);
- a Chinese error naming what is allowed.

Files are never served from ``MEDIA_ROOT`` by URL. :func:`file_url` gives the address of
``web:ledger_file`` (``/files/<ledger>/<pk>/<field>/``), which applies the same scope as
the record the file belongs to and answers with :func:`response_headers`' safe headers.
"""

from __future__ import annotations

import os
import struct
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils.deconstruct import deconstructible

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
HEAD_BYTES = 64


# --- content checks: each takes the open file (at position 0) and its first bytes ---------


def _starts(*prefixes: bytes) -> Callable[[IO[bytes], bytes], bool]:
    return lambda _f, head: head.startswith(prefixes)


def _webp(_f: IO[bytes], head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _zip_with(*required: str) -> Callable[[IO[bytes], bytes], bool]:
    """A ZIP package (OOXML, OFD) holding every one of ``required`` parts."""

    def check(f: IO[bytes], head: bytes) -> bool:
        if not head.startswith(ZIP_MAGIC):
            return False
        try:
            with zipfile.ZipFile(f) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        return all(name in names for name in required)

    return check


def _ole2_with(*streams: str) -> Callable[[IO[bytes], bytes], bool]:
    """A Compound File (doc, xls, ppt, wps) whose directory names one of ``streams``.

    Directory entries are 128-byte records at 128-byte boundaries after the 512-byte
    header: a UTF-16LE name, its length in bytes (with the terminator) at offset 64 and
    the entry type at 66 (2 = stream). Looking for such a record is enough to tell a Word
    file from a workbook without walking the allocation table.
    """
    wanted = [(s.encode("utf-16-le") + b"\0\0", len(s) * 2 + 2) for s in streams]

    def check(f: IO[bytes], head: bytes) -> bool:
        if not head.startswith(OLE2_MAGIC):
            return False
        data = f.read()
        for name, length in wanted:
            at = data.find(name, 512)
            while at != -1:
                if at % 128 == 0 and data[at + 64 : at + 67] == struct.pack("<HB", length, 2):
                    return True
                at = data.find(name, at + 1)
        return False

    return check


@dataclass(frozen=True)
class Kind:
    """One accepted file kind: its extensions, served content type and content check."""

    code: str
    label: str
    extensions: tuple[str, ...]
    content_type: str
    check: Callable[[IO[bytes], bytes], bool]
    inline: bool = False  # shown in the browser (images, PDF); everything else downloads


OOXML = "[Content_Types].xml"
KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("jpg", "JPG", ("jpg", "jpeg"), "image/jpeg", _starts(b"\xff\xd8\xff"), True),
        Kind("png", "PNG", ("png",), "image/png", _starts(b"\x89PNG\r\n\x1a\n"), True),
        Kind("gif", "GIF", ("gif",), "image/gif", _starts(b"GIF87a", b"GIF89a"), True),
        Kind("webp", "WEBP", ("webp",), "image/webp", _webp, True),
        Kind("pdf", "PDF", ("pdf",), "application/pdf", _starts(b"%PDF-"), True),
        Kind("doc", "Word", ("doc",), "application/msword", _ole2_with("WordDocument")),
        Kind(
            "docx",
            "Word",
            ("docx",),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            _zip_with(OOXML, "word/document.xml"),
        ),
        Kind("xls", "Excel", ("xls",), "application/vnd.ms-excel", _ole2_with("Workbook", "Book")),
        Kind(
            "xlsx",
            "Excel",
            ("xlsx",),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            _zip_with(OOXML, "xl/workbook.xml"),
        ),
        Kind(
            "ppt",
            "PowerPoint",
            ("ppt",),
            "application/vnd.ms-powerpoint",
            _ole2_with("PowerPoint Document"),
        ),
        Kind(
            "pptx",
            "PowerPoint",
            ("pptx",),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            _zip_with(OOXML, "ppt/presentation.xml"),
        ),
        Kind("wps", "WPS文字", ("wps",), "application/vnd.ms-works", _ole2_with("WordDocument")),
        Kind("ofd", "OFD", ("ofd",), "application/ofd", _zip_with("OFD.xml")),
    )
}
IMAGES = ("jpg", "png", "gif", "webp")
DOCUMENTS = ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "ofd")
EVIDENCE = IMAGES + DOCUMENTS
BY_EXTENSION = {ext: kind for kind in KINDS.values() for ext in kind.extensions}


def max_bytes() -> int:
    return int(getattr(settings, "ZHUJIAN_UPLOAD_MAX_MB", 20)) * 1024 * 1024


def extension(name: str) -> str:
    return os.path.splitext(name)[1].lstrip(".").lower()


def detect(name: str, f: IO[bytes]) -> Kind | None:
    """The kind that ``name``'s extension claims, if ``f``'s content really is one."""
    kind = BY_EXTENSION.get(extension(name))
    if kind is None:
        return None
    start = f.tell() if f.seekable() else 0
    try:
        f.seek(0)
        head = f.read(HEAD_BYTES)
        f.seek(0)
        return kind if kind.check(f, head) else None
    finally:
        f.seek(start)


def describe(kinds: Iterable[str]) -> str:
    """``jpg、png、pdf`` — the extensions of ``kinds`` for messages and help texts."""
    return "、".join(ext for code in kinds for ext in KINDS[code].extensions)


@deconstructible
class EvidenceValidator:
    """Refuse an upload whose extension is not allowed, whose content is not what the
    extension says, or that is larger than ``ZHUJIAN_UPLOAD_MAX_MB``."""

    def __init__(self, kinds: Iterable[str] = EVIDENCE) -> None:
        self.kinds = tuple(kinds)
        unknown = [k for k in self.kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown file kinds: {unknown}")

    def __call__(self, value: Any) -> None:
        if not value or getattr(value, "_committed", False):
            return  # nothing uploaded now: a stored file was checked when it came in
        name = os.path.basename(getattr(value, "name", "") or "")
        allowed = describe(self.kinds)
        ext = extension(name)
        if ext not in {e for code in self.kinds for e in KINDS[code].extensions}:
            raise ValidationError(
                f"不支持“.{ext or '（无扩展名）'}”类型的文件；只能上传 {allowed} 文件",
                code="file_type",
            )
        limit = max_bytes()
        if value.size > limit:
            raise ValidationError(
                f"文件过大（{value.size / 1024 / 1024:.1f} MB），不能超过 {limit // 1024 // 1024} MB",
                code="file_size",
            )
        f = getattr(value, "file", value)
        if detect(name, f) is None:
            raise ValidationError(
                f"文件内容与扩展名“.{ext}”不符（可能已损坏或被改过扩展名）；只能上传 {allowed} 文件",
                code="file_content",
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EvidenceValidator) and self.kinds == other.kinds

    def __hash__(self) -> int:
        return hash(self.kinds)


@dataclass(frozen=True)
class FileLink:
    """A stored file as pages show it: its name and the scoped address that serves it."""

    name: str
    url: str
    is_file: bool = True

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        """A photo: pages show it as a thumbnail that opens the full picture."""
        return self.name.lower().rsplit(".", 1)[-1] in ("jpg", "jpeg", "png", "webp", "gif")


def file_url(value: FieldFile) -> str:
    """The address of ``web:ledger_file`` for a stored file of a registered ledger's record."""
    from zhujian.core.registry import registry

    ledger = registry.for_model(type(value.instance))
    return reverse("web:ledger_file", args=[ledger.name, value.instance.pk, value.field.name])


def link(value: Any) -> FileLink | None:
    if not isinstance(value, FieldFile) or not value:
        return None
    return FileLink(os.path.basename(value.name), file_url(value))


class EvidenceFileInput(forms.ClearableFileInput):
    """The file input whose "currently" link goes through the scoped file view."""

    def format_value(self, value: Any) -> Any:
        return link(value) if self.is_initial(value) else None


class EvidenceFileField(models.FileField):
    """A FileField for evidence: allowed kinds checked by content, a size limit, served
    only through the scoped file view. ``kinds``: codes from :data:`KINDS` (default
    :data:`EVIDENCE`; :data:`IMAGES` for photos). Other arguments as ``FileField``."""

    def __init__(
        self, verbose_name: str | None = None, *, kinds: Iterable[str] = EVIDENCE, **kwargs: Any
    ) -> None:
        self.kinds = tuple(kinds)
        validators = [
            v for v in kwargs.pop("validators", ()) if not isinstance(v, EvidenceValidator)
        ]
        super().__init__(
            verbose_name, validators=[*validators, EvidenceValidator(self.kinds)], **kwargs
        )

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        others = [v for v in kwargs.pop("validators", ()) if not isinstance(v, EvidenceValidator)]
        if others:  # ours is rebuilt from ``kinds``
            kwargs["validators"] = others
        if self.kinds != EVIDENCE:
            kwargs["kinds"] = list(self.kinds)
        return name, path, args, kwargs

    def formfield(self, **kwargs: Any) -> forms.Field:
        accept = ",".join(f".{e}" for code in self.kinds for e in KINDS[code].extensions)
        kwargs.setdefault("widget", EvidenceFileInput(attrs={"accept": accept}))
        if not self.help_text:
            kwargs.setdefault(
                "help_text",
                f"可上传 {describe(self.kinds)} 文件，不超过 {max_bytes() // 1024 // 1024} MB",
            )
        return super().formfield(**kwargs)


def response_headers(kind: Kind | None) -> dict[str, str]:
    """Content type and headers for serving a stored file (``kind``: what its content is)."""
    return {
        "Content-Type": kind.content_type if kind else "application/octet-stream",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-cache",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
