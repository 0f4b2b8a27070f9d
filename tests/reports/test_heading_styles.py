"""（一）–（八） and 一、… headings look the same in the Word report whether they stand
alone or open a paragraph (issue 23)."""

from __future__ import annotations

import zipfile
from io import BytesIO

import pytest
from docx import Document

from zhujian.figures.periods import Period
from zhujian.reports import render
from zhujian.reports.build import build_report, ensure_default_template
from zhujian.reports.docx import render_docx
from zhujian.reports.template import H1, H2, Fragment, Line, run_in_heading, split_fragments

pytestmark = pytest.mark.django_db


def test_split_fragments_cuts_inside_a_fragment() -> None:
    head, tail = split_fragments([Fragment("（一）标题。正文"), Fragment("12", figure_id="x.y")], 6)
    assert [f.text for f in head] == ["（一）标题。"]
    assert [f.text for f in tail] == ["正文", "12"]
    assert tail[1].figure_id == "x.y"


def test_a_heading_run_into_its_paragraph_is_found() -> None:
    assert run_in_heading(Line([Fragment("（一）加强支部建设。一是开展活动" + "。" * 40)])) == (
        "h2",
        len("（一）加强支部建设。"),
    )
    assert run_in_heading(Line([Fragment("（五）加强工程管理")])) == ("", 0)  # a heading line
    assert run_in_heading(Line([Fragment("正文。" * 30)])) == ("", 0)


def test_every_numbered_heading_of_the_word_report_uses_its_levels_font(admin_user) -> None:
    report = build_report(Period.parse("2022H1"), None, admin_user, ensure_default_template())
    doc = Document(BytesIO(render_docx(report)))
    fonts: dict[str, set[str]] = {"h1": set(), "h2": set()}
    for paragraph in doc.paragraphs:
        text = paragraph.text
        level = "h1" if H1.match(text) else "h2" if H2.match(text) else None
        if level is None:
            continue
        run = paragraph.runs[0]
        east = (
            run._element.rPr.rFonts.get(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
            )
            if run._element.rPr is not None and run._element.rPr.rFonts is not None
            else None
        )
        fonts[level].add(
            east
            or paragraph.style.font.element.rPr.rFonts.get(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
            )
        )
    assert fonts["h1"] == {"黑体"}, fonts
    assert fonts["h2"] == {"楷体_GB2312"}, fonts
    html = render.html_body(report)
    assert '<span class="run-in h2">（一）' in html
    with zipfile.ZipFile(BytesIO(render_docx(report))) as z:
        assert "楷体_GB2312" in z.read("word/document.xml").decode()
