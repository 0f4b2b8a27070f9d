"""``zhujian draw``: verify a published draw, export a round's files, list the rounds.

zhujian draw verify 摇号公告.xlsx [3f9c…（公告上的种子）]   # or the round file (.json)
zhujian draw export FF2022-01 -o 公告.docx           # .json, .xlsx or .docx
zhujian draw list
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhujian.domains.housing.draw import files
from zhujian.domains.housing.draw.algorithm import DrawError


class Command(BaseCommand):
    help = "Verify a published resettlement draw, export a round's files, or list rounds."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="recompute a draw from its published file")
        verify.add_argument("round_file", help="round file (.json) or Excel announcement (.xlsx)")
        verify.add_argument(
            "seed", nargs="?", default="", help="the seed as announced, to compare (64 hex digits)"
        )
        export = sub.add_parser("export", help="write a round's file, Excel or Word announcement")
        export.add_argument("code", help="the round's code (轮次编号)")
        export.add_argument("-o", "--output", required=True, help="*.json, *.xlsx or *.docx")
        sub.add_parser("list", help="every round with its status and digests")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DrawError as exc:
            raise CommandError(str(exc)) from None

    def _verify(self, options: dict[str, Any]) -> None:
        path = Path(options["round_file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        if path.stat().st_size > files.MAX_FILE_BYTES:
            raise CommandError("文件过大")
        from zhujian.domains.housing.draw.service import published_record

        rf = files.load(path.read_bytes(), path.name)
        # Compared with this platform's publication when the round is in its database.
        published = published_record(rf.round.get("code", ""))
        result = files.verify(rf, options["seed"], published)
        self.stdout.write(result.report())
        if rf.assignment is None:
            for a in result.allotments:
                self.stdout.write(
                    f"  {a.group or '—'}\t{a.position or '—'}\t家庭 {a.household or '—'}\t"
                    f"房源 {a.unit or '轮候'}"
                )
        if not result.ok:
            raise CommandError("摇号结果验证不通过", returncode=1)

    def _export(self, options: dict[str, Any]) -> None:
        from zhujian.domains.housing.draw.announce import render_docx
        from zhujian.domains.housing.models import AllocationRound
        from zhujian.figures.catalog import county_name

        round = AllocationRound.objects.filter(code=options["code"]).first()
        if round is None:
            raise CommandError(f"没有编号为 {options['code']!r} 的分房轮次")
        rf = files.from_round(round)
        out = Path(options["output"])
        suffix = out.suffix.lower()
        if suffix == ".json":
            out.write_bytes(files.to_json(rf))
        elif suffix == ".xlsx":
            files.write_xlsx(rf, out)
        elif suffix == ".docx":
            issuer = f"{county_name(None) or ''}住房和城乡建设局"  # type: ignore[arg-type]
            out.write_bytes(render_docx(rf, issuer, round.get_status_display()))
        else:
            raise CommandError("输出文件应为 .json、.xlsx 或 .docx")
        self.stdout.write(f"已导出 {round.code}（{round.get_status_display()}）：{out}")

    def _list(self, options: dict[str, Any]) -> None:
        from zhujian.domains.housing.models import AllocationRound

        for r in AllocationRound.objects.select_related("redraw_of").order_by("scheduled_on", "pk"):
            self.stdout.write(
                f"{r.code}\t{r.get_status_display()}\t{r.drawn_on or r.scheduled_on}\t{r.name}\t"
                f"名单 {r.list_sha256[:12] or '—'}\t种子 {r.seed[:12] or '—'}"
                + (f"\t重摇自 {r.redraw_of.code}" if r.redraw_of_id else "")
            )
