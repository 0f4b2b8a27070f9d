"""The signed-off announcement of a draw in Word, in the 公文 layout of the report.

The Excel announcement (``files.write_xlsx``) carries the same data in a form
``zhujian draw verify`` reads back; this document is the one printed, signed and posted.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from zhujian.domains.housing.draw.files import RoundFile
from zhujian.reports.docx import (
    SIZE_2,
    SIZE_3,
    _declare_fallbacks,
    _page_number_footer,
    _paragraph_style,
    _set_fonts,
)

SIZE_4 = Pt(14)  # 四号, for tables


def _table(doc: Document, headers: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for run in paragraph.runs:
                    _set_fonts(run, "仿宋_GB2312")
                    run.font.size = SIZE_4


def render_docx(rf: RoundFile, issuer: str, status: str = "") -> bytes:
    """The announcement (公告) of a round: list digest, inputs, seed, result, sign-off."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    _set_fonts(normal, "仿宋_GB2312")
    normal.font.size = SIZE_3
    title = _paragraph_style(doc, "公文标题", "方正小标宋简体", SIZE_2, center=True)
    h1 = _paragraph_style(doc, "一级标题", "黑体", SIZE_3)
    body = _paragraph_style(doc, "公文正文", "仿宋_GB2312", SIZE_3)
    right = _paragraph_style(doc, "落款", "仿宋_GB2312", SIZE_3, indent=False)
    right.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    info = rf.round
    drawn = rf.assignment is not None
    heading = (
        f"关于{info.get('name', '')}摇号结果的公告"
        if drawn
        else f"{info.get('name', '')}摇号名单公示"
    )
    doc.core_properties.title = heading
    doc.add_paragraph(heading, style=title)
    doc.add_paragraph("", style=body)
    households, units = rf.list.get("households", []), rf.list.get("units", [])
    intro = (
        f"本轮分房（轮次编号 {info.get('code', '')}，安置房项目：{info.get('project', '')}）"
        f"共有参加摇号家庭{len(households)}户、房源{len(units)}套。参加摇号家庭名单和房源清单已于"
        f"摇号前公示并冻结，名单摘要（SHA-256）为 {rf.list_sha256}。"
    )
    doc.add_paragraph(intro, style=body)
    if rf.redraw_of:
        doc.add_paragraph(
            f"本轮为轮次 {rf.redraw_of} 的重新摇号，原因：{rf.redraw_reason}", style=body
        )
    if drawn:
        doc.add_paragraph(
            f"{_date(rf.drawn_on)}，在{rf.supervisors or '监督单位'}的监督下，由家庭代表现场输入"
            f"公开数字{len(rf.inputs)}组，{_beacon_sentence(rf)}按公开的摇号算法生成种子并计算分房结果。"
            f"种子为 {rf.seed}。现将结果公告如下（时间均为北京时间）：",
            style=body,
        )
        doc.add_paragraph("一、公开输入", style=h1)
        _table(
            doc,
            ["顺序", "输入人", "输入数字", "输入时间"],
            [
                [str(i["seq"]), str(i["by"]), str(i["value"]), str(i.get("at") or "")]
                for i in rf.inputs
            ],
        )
        doc.add_paragraph("二、摇号结果", style=h1)
        rows = []
        for a in rf.assignment or []:
            h, u = rf.household(a.get("household")), rf.unit(a.get("unit"))
            rows.append(
                [
                    a.get("group") or "—",
                    str(a["position"]) if a.get("position") else "—",
                    h.get("name", "（剩余房源）") if a.get("household") else "（剩余房源）",
                    h.get("code", ""),
                    u.get("code", "轮候") if a.get("unit") else "轮候",
                    u.get("area", ""),
                ]
            )
        _table(doc, ["分组", "顺序号", "户主", "户编号", "房号", "面积（㎡）"], rows)
        doc.add_paragraph("", style=body)
        doc.add_paragraph(
            "任何人可凭本公告的 Excel 文件或摇号文件（JSON）和上述种子，用“zhujian draw verify”"
            "命令或平台“摇号结果验证”页面重新计算，核对结果是否一致。公告期内如有异议，请向"
            f"{issuer}反映。",
            style=body,
        )
    else:
        doc.add_paragraph(
            "请各家庭核对名单，如有异议请于摇号前提出；摇号时由家庭代表现场输入公开数字生成种子。",
            style=body,
        )
        _table(
            doc,
            ["序号", "户主", "户编号", "分组"],
            [[str(h["seq"]), h["name"], h["code"], h.get("group") or "—"] for h in households],
        )
    doc.add_paragraph("", style=body)
    doc.add_paragraph(issuer, style=right)
    if rf.signed_by:
        doc.add_paragraph(f"签发人：{rf.signed_by}", style=right)
    doc.add_paragraph(_date(rf.drawn_on) if drawn else status, style=right)
    _page_number_footer(section)
    _declare_fallbacks(doc)
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _beacon_sentence(rf: RoundFile) -> str:
    beacon = rf.list.get("beacon")
    if not isinstance(beacon, dict):
        return ""
    return (
        f"并取名单公示时声明的{beacon.get('source', '')}第{beacon.get('issue', '')}期"
        f"（{_date(beacon.get('date'))}开奖）开奖号码 {rf.beacon_value}，"
    )


def _date(iso: str | None) -> str:
    if not iso:
        return ""
    year, month, day = (int(p) for p in iso[:10].split("-"))
    return f"{year}年{month}月{day}日"
