"""Uploaded evidence: allowed kinds checked by content, size limit, served only through the
scoped file view with safe headers (audit item 9)."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.static import serve
from docx import Document
from openpyxl import Workbook

from tests.hazards.helpers import township_of
from zhujian.core import files, versions
from zhujian.hazards.models import Hazard, HazardStatus

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = png_bytes()
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def docx_bytes() -> bytes:
    doc = Document()
    doc.add_paragraph("整改报告")
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    out = BytesIO()
    Workbook().save(out)
    return out.getvalue()


def ole2_bytes(stream: str) -> bytes:
    """A minimal Compound File: header, then a directory sector naming ``stream``."""

    def entry(name: str, kind: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return encoded.ljust(64, b"\0") + struct.pack("<HB", len(encoded), kind).ljust(64, b"\0")

    header = files.OLE2_MAGIC.ljust(512, b"\0")
    return header + entry("Root Entry", 5) + entry(stream, 2) + b"\0" * 256


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("现场.jpg", HTML),
        ("现场.jpg", SVG),
        ("现场.jpg", EXE),
        ("现场.png", PDF),
        ("报告.pdf", HTML),
        ("报告.docx", b"PK\x03\x04" + b"\0" * 100),  # a ZIP, but no Word document inside
        ("报告.docx", xlsx_bytes()),  # a workbook renamed to .docx
        ("报告.doc", ole2_bytes("Workbook")),  # an .xls renamed to .doc
        ("页面.html", HTML),
        ("图.svg", SVG),
        ("程序.exe", EXE),
        ("无扩展名", PNG),
    ],
)
def test_disguised_or_unlisted_files_are_refused(name, content):
    with pytest.raises(ValidationError) as caught:
        files.EvidenceValidator()(upload(name, content))
    assert "只能上传" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("现场.png", PNG),
        ("现场.PNG", PNG),
        ("报告.pdf", PDF),
        ("报告.docx", docx_bytes()),
        ("台账.xlsx", xlsx_bytes()),
        ("通知.doc", ole2_bytes("WordDocument")),
        ("汇总.xls", ole2_bytes("Workbook")),
        ("汇报.ppt", ole2_bytes("PowerPoint Document")),
    ],
)
def test_real_files_of_allowed_kinds_are_accepted(name, content):
    files.EvidenceValidator()(upload(name, content, content_type="application/octet-stream"))


def test_photos_accept_images_only():
    validator = files.EvidenceValidator(files.IMAGES)
    validator(upload("现场.png", PNG))
    with pytest.raises(ValidationError, match="只能上传 jpg、jpeg、png、gif、webp 文件"):
        validator(upload("报告.pdf", PDF))


def test_oversize_upload_is_refused(settings):
    settings.ZHUJIAN_UPLOAD_MAX_MB = 1
    big = PNG + b"\0" * (1024 * 1024)
    with pytest.raises(ValidationError, match=r"文件过大.*不能超过 1 MB"):
        files.EvidenceValidator()(upload("现场.png", big))


def notified_gas_hazard() -> Hazard:
    return Hazard.objects.filter(line="gas", status=HazardStatus.NOTIFIED).order_by("pk").first()


def test_rectify_step_refuses_html_evidence_and_accepts_a_pdf(client, user):
    hazard = notified_gas_hazard()
    client.force_login(township_of(hazard))  # the township rectifies (hazards.workflows)
    url = reverse("hazards:step", args=[hazard.pk, "rectify"])
    data = {
        "rectified_on": hazard.notice_issued_on.isoformat(),
        "rectification_evidence": "",
        versions.VERSION_FIELD: versions.token(hazard),
    }
    response = client.post(
        url, {**data, "evidence_file": upload("整改.pdf", HTML, "application/pdf")}
    )
    assert response.status_code == 400
    assert "文件内容与扩展名“.pdf”不符" in response.content.decode()
    hazard.refresh_from_db()
    assert not hazard.evidence_file and hazard.status == HazardStatus.NOTIFIED

    response = client.post(url, {**data, "evidence_file": upload("整改.pdf", PDF, "text/html")})
    assert response.status_code == 302, response.content.decode()[:2000]
    hazard.refresh_from_db()
    assert hazard.evidence_file.name.endswith(".pdf")
    page = client.get(reverse("hazards:detail", args=[hazard.pk])).content.decode()
    assert reverse("web:ledger_file", args=["hazards_hazard", hazard.pk, "evidence_file"]) in page
    assert "/media/" not in page


def test_generic_api_refuses_a_disguised_photo(client, user):
    client.force_login(user("ranqi"))
    hazard = notified_gas_hazard()
    response = client.patch(
        f"/api/ledgers/hazards_hazard/{hazard.pk}/",
        encode_multipart(BOUNDARY, {"photo": upload("现场.jpg", SVG)}),
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 400, response.content.decode()[:500]
    assert "文件内容与扩展名“.jpg”不符" in response.json()["photo"][0]
    hazard.refresh_from_db()
    assert not hazard.photo


def hazard_in(unit) -> Hazard:
    return Hazard.objects.filter(org_unit__path__startswith=unit.path).order_by("pk").first()


def test_file_view_serves_in_scope_and_404s_outside(client, town_a, town_b):
    hazard = hazard_in(town_a.org_unit)
    hazard.photo.save("现场.png", ContentFile(PNG))
    url = reverse("web:ledger_file", args=["hazards_hazard", hazard.pk, "photo"])
    client.force_login(town_a)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    client.force_login(town_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_file_view_downloads_office_files_and_never_serves_html(client, admin_user):
    hazard = Hazard.objects.order_by("pk").first()
    hazard.evidence_file.save("报告.docx", ContentFile(docx_bytes()))
    hazard.photo.save("旧照片.jpg", ContentFile(HTML))  # stored before uploads were checked
    client.force_login(admin_user)
    docx = client.get(
        reverse("web:ledger_file", args=["hazards_hazard", hazard.pk, "evidence_file"])
    )
    assert docx["Content-Type"] == files.KINDS["docx"].content_type
    assert docx["Content-Disposition"].startswith("attachment")
    legacy = client.get(reverse("web:ledger_file", args=["hazards_hazard", hazard.pk, "photo"]))
    assert legacy.status_code == 200
    assert legacy["Content-Type"] == "application/octet-stream"
    assert legacy["Content-Disposition"].startswith("attachment")
    assert legacy["X-Content-Type-Options"] == "nosniff"


def test_file_view_404s_for_a_non_file_field_or_an_empty_one(client, admin_user):
    hazard = Hazard.objects.filter(photo="").order_by("pk").first()
    client.force_login(admin_user)
    for field in ("photo", "description", "no_such_field"):
        url = reverse("web:ledger_file", args=["hazards_hazard", hazard.pk, field])
        assert client.get(url).status_code == 404, field


def test_detail_page_and_api_link_files_through_the_view(client, admin_user):
    hazard = Hazard.objects.order_by("pk").first()
    hazard.photo.save("现场.png", ContentFile(PNG))
    url = reverse("web:ledger_file", args=["hazards_hazard", hazard.pk, "photo"])
    client.force_login(admin_user)
    page = client.get(reverse("web:ledger_detail", args=["hazards_hazard", hazard.pk]))
    assert f'href="{url}"' in page.content.decode()
    edit = client.get(reverse("web:ledger_update", args=["hazards_hazard", hazard.pk]))
    body = edit.content.decode()
    assert f'href="{url}"' in body and 'enctype="multipart/form-data"' in body
    assert "/media/" not in page.content.decode() + body
    api = client.get(f"/api/ledgers/hazards_hazard/{hazard.pk}/").json()
    assert api["photo"] == f"http://testserver{url}"


def test_no_url_serves_media_root(client, admin_user, settings):
    hazard = Hazard.objects.order_by("pk").first()
    hazard.photo.save("现场.png", ContentFile(PNG))

    def callbacks(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from callbacks(p.url_patterns)
            elif isinstance(p, URLPattern):
                yield p.callback

    assert serve not in list(callbacks(get_resolver().url_patterns))
    client.force_login(admin_user)
    assert client.get("/" + settings.MEDIA_URL + hazard.photo.name).status_code == 404


def test_every_ledger_file_field_is_an_evidence_field():
    from django.db import models

    from zhujian.core.registry import registry

    plain = [
        f"{ledger.name}.{f.name}"
        for ledger in registry
        for f in ledger.model._meta.concrete_fields
        if isinstance(f, models.FileField) and not isinstance(f, files.EvidenceFileField)
    ]
    assert not plain, f"use zhujian.core.files.EvidenceFileField for: {plain}"
