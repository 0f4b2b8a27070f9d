"""Word output in 公文 layout (GB/T 9704 style): A4, 小标宋/黑体 title, 仿宋 body.

Real Word styles are defined (公文标题, 一级标题, 二级标题, 公文正文) so staff can keep
editing the document in Word with the same look; the font table names a fallback for
each 公文 font (仿宋_GB2312 → 仿宋, …) for machines that lack the GB2312 fonts.
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

if TYPE_CHECKING:
    from zhujian.reports.build import Report

SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
LINE = Pt(28.95)


def _set_fonts(style_or_run: object, east_asia: str, latin: str = "Times New Roman") -> None:
    font = style_or_run.font  # type: ignore[attr-defined]
    font.name = latin
    rpr = style_or_run.element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def _paragraph_style(
    doc: Document,
    name: str,
    east_asia: str,
    size: Pt,
    *,
    bold: bool = False,
    center: bool = False,
    indent: bool = True,
):  # type: ignore[no-untyped-def]
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    _set_fonts(style, east_asia)
    style.font.size = size
    style.font.bold = bold
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if center:
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            fmt.first_line_indent = Pt(size.pt * 2)
    return style


def _page_number_footer(section) -> None:  # type: ignore[no-untyped-def]
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run("— ")
    _set_fonts(run, "宋体")
    run.font.size = Pt(14)
    field = paragraph.add_run()
    field.font.size = Pt(14)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        field._r.append(el)
    tail = paragraph.add_run(" —")
    tail.font.size = Pt(14)


# Fonts 公文 asks for, with the font Word should use where they are not installed.
FALLBACKS = {
    "方正小标宋简体": "华文中宋",
    "仿宋_GB2312": "仿宋",
    "楷体_GB2312": "楷体",
    "黑体": "SimHei",
}


def _declare_fallbacks(doc: Document) -> None:
    """Name each 公文 font in the font table with an ``altName`` (Word's substitute)."""
    part = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        f'<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
        for name, alt in FALLBACKS.items()
    )
    part._blob = part.blob.replace(b"</w:fonts>", entries.encode("utf-8") + b"</w:fonts>")


def render_docx(report: Report) -> bytes:
    from zhujian.reports.template import line_kind, run_in_heading, split_fragments

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    _set_fonts(normal, "仿宋_GB2312")
    normal.font.size = SIZE_3
    styles = {
        "title": _paragraph_style(doc, "公文标题", "方正小标宋简体", SIZE_2, center=True),
        "h1": _paragraph_style(doc, "一级标题", "黑体", SIZE_3),
        "h2": _paragraph_style(doc, "二级标题", "楷体_GB2312", SIZE_3),
        "p": _paragraph_style(doc, "公文正文", "仿宋_GB2312", SIZE_3),
    }
    doc.core_properties.title = report.title
    doc.core_properties.subject = report.period.label
    doc.add_paragraph(report.title, style=styles["title"])
    doc.add_paragraph("", style=styles["p"])
    heading_fonts = {"h1": "黑体", "h2": "楷体_GB2312"}  # as the 一级/二级标题 styles
    for line in report.lines:
        paragraph = doc.add_paragraph(style=styles[line_kind(line)])
        level, length = run_in_heading(line)
        head, _ = split_fragments(line.fragments, length)
        for i, fragment in enumerate(line.fragments if not level else [*head, *_]):
            run = paragraph.add_run(fragment.text)
            if level and i < len(head):  # a heading sentence that opens the paragraph
                _set_fonts(run, heading_fonts[level])
            if fragment.missing:
                run.font.highlight_color = 7  # yellow: a figure still to fill in
    _page_number_footer(section)
    _declare_fallbacks(doc)
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
