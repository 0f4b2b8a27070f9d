"""QR code labels (二维码标签) for cylinders, drawn with segno as SVG.

The code carries only the cylinder's code, which is what the scanners read; the text
around it repeats what a person checks at a glance.
"""

from __future__ import annotations

import segno

from zhujian.domains.lpg.models import Cylinder


def qr_svg(code: str, scale: int = 4) -> str:
    """An inline SVG of the QR code for ``code`` (error correction M: a scratched label
    still reads)."""
    return segno.make(code, error="m", micro=False).svg_inline(scale=scale, border=2)


def label_svg(cylinder: Cylinder, county: str = "") -> str:
    """A printable 60 × 40 mm label as a standalone SVG document."""
    qr = segno.make(cylinder.code, error="m", micro=False)
    size = qr.symbol_size(scale=1, border=2)[0]
    scale = 120 / size
    modules = qr.svg_inline(scale=1, border=2, omitsize=True)
    inner = modules.replace(
        "<svg", f'<svg x="8" y="20" width="{size * scale:.1f}" height="{size * scale:.1f}"', 1
    )
    lines = [
        f"{cylinder.company}",
        f"规格 {cylinder.get_spec_display()}",
        f"制造 {cylinder.manufactured_on:%Y-%m}",
        f"下次检验 {cylinder.next_inspection_due:%Y-%m}" if cylinder.next_inspection_due else "",
        f"报废期限 {cylinder.scrap_due:%Y-%m}" if cylinder.scrap_due else "",
    ]
    text = "".join(
        f'<text x="136" y="{44 + 18 * i}" font-size="12">{_escape(line)}</text>'
        for i, line in enumerate(line for line in lines if line)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="60mm" height="40mm" viewBox="0 0 300 160">'
        '<rect x="0.5" y="0.5" width="299" height="159" fill="#fff" stroke="#000"/>'
        f'<text x="8" y="15" font-size="12" font-weight="bold">{_escape(county)}瓶装液化气 一瓶一码</text>'
        f"{inner}{text}"
        f'<text x="136" y="148" font-size="15" font-family="monospace">{_escape(cylinder.code)}</text>'
        "</svg>"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
