"""Renderers: one function per output format, each taking a built :class:`Report`."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from zhujian.reports.build import Report
from zhujian.reports.template import Fragment, line_kind, run_in_heading, split_fragments


def drill_url(figure_id: str, report: Report) -> str:
    query = {"period": report.period.code}
    if report.unit is not None:
        query["unit"] = report.unit.code
    return reverse("web:figure_records", kwargs={"figure_id": figure_id}) + "?" + urlencode(query)


def to_txt(report: Report) -> bytes:
    return report.text.encode("utf-8")


# Characters that start Markdown markup inside a line (emphasis, code, links, tables, escapes).
MD_ACTIVE = re.compile(r"([\\`*_\[\]~|#])")


def md_text(text: str) -> str:
    """Template text for Markdown: HTML-significant characters escaped, so that nothing a
    template editor types becomes raw HTML in a Markdown viewer."""
    return html.escape(text, quote=False)


def md_value(text: str) -> str:
    """A figure value (possibly a record's name) for Markdown: HTML escaped, Markdown markup
    characters backslash-escaped and line breaks flattened, so it stays one plain run."""
    flat = " ".join(text.splitlines())
    return MD_ACTIVE.sub(r"\\\1", html.escape(flat, quote=False))


def to_md(report: Report) -> bytes:
    out = [f"# {md_value(report.title)}", ""]
    for line in report.lines:
        kind = line_kind(line)
        prefix = {"h1": "## ", "h2": "### ", "p": ""}[kind]
        level, length = run_in_heading(line)
        if level:  # the heading sentence that opens a paragraph, in bold
            head, tail = split_fragments(line.fragments, length)
            body = "**" + "".join(md_text(f.text) for f in head) + "**"
            body += "".join(_md_run(f) for f in tail)
        else:
            body = "".join(_md_run(f) for f in line.fragments)
        out += [prefix + body, ""]
    return "\n".join(out).encode("utf-8")


def _md_run(fragment: Fragment) -> str:
    if not fragment.figure_id:
        return md_text(fragment.text)
    if fragment.missing:
        return md_value(fragment.text)
    return f"**{md_value(fragment.text)}**"


def html_body(report: Report, base_url: str = "") -> str:
    """The report as HTML paragraphs, each figure linked to the records behind it."""
    parts = []
    for line in report.lines:
        kind = line_kind(line)
        level, length = run_in_heading(line)
        runs = []
        head, tail = split_fragments(line.fragments, length)
        for i, f in enumerate([*head, *tail]):
            if level and i == 0:
                runs.append(f'<span class="run-in {level}">')
            if level and i == len(head):
                runs.append("</span>")
            text = html.escape(f.text)
            if f.missing:
                title = html.escape(f.note or "尚无数据来源")
                runs.append(f'<span class="missing" title="{title}">{text}</span>')
            elif f.figure_id:
                fv = report.values.get(f.figure_id)
                label = html.escape(fv.figure.label if fv else f.figure_id)
                href = html.escape(base_url + drill_url(f.figure_id, report))
                runs.append(
                    f'<a class="fig" href="{href}" title="{label}（{f.figure_id}）" '
                    f'data-figure="{f.figure_id}">{text}</a>'
                )
            else:
                runs.append(text)
        if level and not tail:
            runs.append("</span>")
        tag = {"h1": "h2", "h2": "h3", "p": "p"}[kind]
        parts.append(f"<{tag}>{''.join(runs)}</{tag}>")
    return "\n".join(parts)


def to_html(report: Report, base_url: str = "") -> bytes:
    title = html.escape(report.title)
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{max-width:52em;margin:2em auto;padding:0 1em;font-family:"FangSong","STFangsong","仿宋",serif;line-height:1.9;font-size:17px}}
h1{{text-align:center;font-family:"SimHei","黑体",sans-serif}} h2{{font-family:"SimHei","黑体",sans-serif;font-size:1.1em}}
h3,.run-in.h2{{font-family:"KaiTi","楷体",serif;font-size:1.05em}} .run-in.h1{{font-family:"SimHei","黑体",sans-serif}} p{{text-indent:2em;margin:.3em 0}}
a.fig{{color:#1d4f91;text-decoration:none;border-bottom:1px dotted}} .missing{{color:#b42318}}</style></head>
<body><h1>{title}</h1>
<p class="meta" style="text-indent:0;color:#666">期间：{report.period.label}{"　单位：" + html.escape(report.unit.name) if report.unit else ""}{"　数据：仅计已审核数据" if report.approved_only else ""}　（点击数字可查看其来源记录）</p>
{html_body(report, base_url)}
</body></html>
"""
    return page.encode("utf-8")


def to_xlsx(report: Report) -> bytes:
    """Every figure in the report: id, label, unit, value, same period last year, change."""
    from openpyxl.styles import Font, PatternFill

    from zhujian.core import xlsx
    from zhujian.core.lines import BY_CODE
    from zhujian.reports.build import with_previous_year

    with_previous_year(report)
    wb = xlsx.workbook()
    ws = wb.active
    ws.title = "指标"
    ws.append(xlsx.row(ws, [report.title]))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(
        [
            f"期间：{report.period.label}（{report.period.code}）",
            "",
            f"单位：{report.unit.name if report.unit else '全县'}",
            "数据：仅计已审核数据" if report.approved_only else "数据：全部记录（含未审核）",
        ]
    )
    ws.append(
        [
            "业务条线",
            "指标名称",
            "单位",
            "本期值",
            "上年同期",
            "同比变化(%)",
            "报告中的写法",
        ]
    )
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in report.rows:
        ws.append(
            xlsx.row(
                ws,
                [
                    BY_CODE[row.line].label if row.line in BY_CODE else row.line,
                    row.label,
                    row.unit,
                    _cell(row.value),
                    _cell(row.previous),
                    float(round(row.change, 1)) if row.change is not None else None,
                    row.text,
                ],
            )
        )
    # No figure ids: people read this table (the ids are for the API and the template
    # editor, which list them).
    for letter, width in zip("ABCDEFG", (14, 40, 8, 14, 14, 12, 16), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A4"
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def to_docx(report: Report) -> bytes:
    from zhujian.reports.docx import render_docx

    return render_docx(report)


RENDERERS: dict[str, Callable[[Report], bytes]] = {
    "txt": to_txt,
    "md": to_md,
    "html": to_html,
    "docx": to_docx,
    "xlsx": to_xlsx,
}
CONTENT_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render(report: Report, fmt: str) -> bytes:
    try:
        return RENDERERS[fmt](report)
    except KeyError:
        raise ValueError(f"不支持的格式 {fmt!r}；可用：{', '.join(RENDERERS)}") from None


def write(report: Report, fmt: str, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render(report, fmt))
    return path
