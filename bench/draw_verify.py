"""Benchmark: the worst-case CPU seconds of one request to the public draw-verify page.

    python -m bench draw_verify                # at the page's own bounds
    python -m bench draw_verify --max-rows 60000 --max-mb 16

The page needs no sign-in, so what one anonymous request may cost is a bound the code must
enforce (issue 21: an 18 MB upload cost 14 s). This runs the real view (rate limit, size
and row bounds, one-at-a-time slot, template) in process on files at those bounds, and
prints the CPU seconds of each, the worst, and what that means per address and per
process. The platform's published record is taken to match the file, so the largest
genuine file is recomputed in full (the worst case); a file that matches nothing stops at
its digest.

Files: the genuine Excel announcement and the JSON round file of a round as large as the
bound allows (with results); a published list without results (the page then lists the
whole expected result); and a crafted workbook (every household name some 1,900
characters) as large once unzipped as the bound allows.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from io import BytesIO
from typing import Any


def _round_file(households: int, units: int, name_length: int = 0) -> Any:
    from zhujian.domains.housing.draw import algorithm as alg
    from zhujian.domains.housing.draw import files

    groups = ["A组（两室）", "B组（三室）", "C组（四室）"]
    doc: dict[str, Any] = {
        "format": alg.LIST_FORMAT,
        "round": {"code": "BENCH-1", "name": "压力测试轮次", "project": "压力测试安置房"},
        "households": [
            {
                "seq": i,
                "code": f"H{i:06d}",
                "name": (f"户主{i}" + "某" * name_length)[: max(4, name_length)],
                "id": "3713**********1234",
                "group": groups[i % 3],
            }
            for i in range(1, households + 1)
        ],
        "units": [
            {
                "seq": i,
                "code": f"{i // 100}号楼{i % 100}室",
                "group": groups[i % 3],
                "layout": "两室",
                "area": "88.50",
            }
            for i in range(1, units + 1)
        ],
        "beacon": {"source": "中国福利彩票3D", "issue": "2022133", "date": "2022-05-19"},
    }
    digest = alg.list_digest(doc)
    inputs = ["0815", "4409", "27"]
    seed = alg.seed_from(digest, inputs, "3 7 2")
    allotments = alg.assign(doc, seed)
    rf = files.RoundFile(
        list=doc,
        list_sha256=digest,
        inputs=[
            {"seq": k + 1, "by": f"代表{k}", "value": v, "at": ""} for k, v in enumerate(inputs)
        ],
        seed=seed,
        assignment=[a.as_dict() for a in allotments],
        beacon_value="3 7 2",
    )
    published = files.Published(
        code="BENCH-1",
        status="已摇号",
        list_sha256=digest,
        seed=seed,
        result_sha256=alg.result_digest(digest, seed, allotments),
    )
    return rf, published


def _xlsx(rf: Any) -> bytes:
    from zhujian.domains.housing.draw import files

    buffer = BytesIO()
    files.write_xlsx(rf, buffer)
    return buffer.getvalue()


def _request_cpu(data: bytes, name: str, published: Any) -> tuple[float, int, str]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import RequestFactory

    from zhujian.domains.housing import views

    views.service.published_record = lambda code: published if code == "BENCH-1" else None
    request = RequestFactory().post(
        "/housing/draws/verify/", {"file": SimpleUploadedFile(name, data), "seed": ""}
    )
    request.user = _anonymous()
    _ = request.FILES  # parse the upload outside the timed part, as Django does before the view
    started = time.process_time()
    response = views.verify_page(request)
    cpu = time.process_time() - started
    page = response.content.decode()
    verdict = (
        "验证通过"
        if "<h2>验证通过" in page
        else ("拒绝" if response.status_code != 200 else "验证不通过")
    )
    return cpu, response.status_code, verdict


def _unzipped(data: bytes) -> int:
    import zipfile

    with zipfile.ZipFile(BytesIO(data)) as archive:
        return sum(info.file_size for info in archive.infolist())


def _anonymous() -> Any:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench draw_verify", description=__doc__)
    parser.add_argument("--max-rows", type=int, help="ZHUJIAN_DRAW_VERIFY_MAX_ROWS to test")
    parser.add_argument("--max-mb", type=float, help="ZHUJIAN_DRAW_VERIFY_MAX_BYTES in MB")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhujian.settings")
    os.environ.setdefault("ZHUJIAN_VAR_DIR", tempfile.mkdtemp(prefix="zj-bench-verify-"))
    if args.max_rows:
        os.environ["ZHUJIAN_DRAW_VERIFY_MAX_ROWS"] = str(args.max_rows)
    if args.max_mb:
        os.environ["ZHUJIAN_DRAW_VERIFY_MAX_BYTES"] = str(int(args.max_mb * 1024 * 1024))
    enforced_rate = os.environ.get("ZHUJIAN_DRAW_VERIFY_RATE", "10/min")
    os.environ["ZHUJIAN_DRAW_VERIFY_RATE"] = "1000/min"  # measure the work, not the limit
    import django

    django.setup()
    from zhujian.domains.housing import conf
    from zhujian.domains.housing.draw import files

    max_rows, max_bytes = conf.draw_verify_max_rows(), conf.draw_verify_max_bytes()
    households = max_rows // 2
    rf, published = _round_file(households, max_rows - households)
    unresolved = files.RoundFile(**{**rf.__dict__, "assignment": None, "seed": None})
    # every household name some thousand characters, scaled so the file unzips to just
    # under the bound: parsed in full, not refused
    bound = files.unzipped_bound(max_rows)
    name_length = max(4, bound // (households * 6))
    bomb, _ = _round_file(households, max_rows - households, name_length)
    while (size := _unzipped(_xlsx(bomb))) > bound:
        name_length = int(name_length * 0.9 * bound / size)
        bomb, _ = _round_file(households, max_rows - households, name_length)
    cases = [
        ("Excel 公告（真实，含结果）", _xlsx(rf), "公告.xlsx", published),
        ("JSON 摇号文件（真实，含结果）", files.to_json(rf), "round.json", published),
        (
            "JSON 名单（无结果，页面列出全部结果）",
            files.to_json(unresolved),
            "list.json",
            published,
        ),
        ("Excel 构造文件（超长姓名，未公示）", _xlsx(bomb), "bomb.xlsx", None),
    ]
    print(
        f"bounds: {max_bytes / 1024 / 1024:.0f} MB, {max_rows:,} households + units per file, "
        f"{files.unzipped_bound(max_rows) >> 20} MB unzipped; rate {enforced_rate} per address; "
        "one verification at a time per process"
    )
    header = f"{'file':<34} {'size MB':>8} {'status':>6} {'verdict':<8} {'CPU s':>7}"
    print(header)
    print("-" * len(header))
    worst = 0.0
    for label, data, name, pub in cases:
        if len(data) > max_bytes:
            print(
                f"{label:<34} {len(data) / 1024 / 1024:>8.1f}   (over the size bound: refused unread)"
            )
            continue
        cpu, status, verdict = _request_cpu(data, name, pub)
        worst = max(worst, cpu)
        print(
            f"{label:<34} {len(data) / 1024 / 1024:>8.1f} {status:>6} {verdict:<8} {cpu:>7.2f}",
            flush=True,
        )
    count, _, period = enforced_rate.partition("/")
    per_minute = int(count) * {"s": 60, "m": 1, "h": 1 / 60, "d": 1 / 1440}[period[:1] or "m"]
    print(
        f"worst case: {worst:.2f} CPU s per request (bound enforced: {max_bytes >> 20} MB, "
        f"{max_rows:,} rows); at {enforced_rate} one address can take at most "
        f"{worst * per_minute:.1f} CPU s a minute ({worst * per_minute / 60:.0%} of a core), and "
        "all addresses together at most one core per server process"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
