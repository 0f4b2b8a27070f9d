"""Benchmark: 100k attendance rows sent to the fake 全国建筑工人管理服务信息平台.

    ./dev.sh bench exchange_attendance                  # SQLite, 1,000 workers × 100 days
    ./dev.sh bench exchange_attendance --workers 200 --days 50

Steps (one process, a scratch SQLite database under a temporary directory):
1. migrate, build the demo county's construction and wage lines, keep one real-name
   project under supervision, register ``--workers`` workers on it and give each
   ``--days`` days of attendance (bulk insert, not timed);
2. start the fake platform on 127.0.0.1 (signature and AES checks, asynchronous receipts)
   and give the project its appid and secret;
3. ``engine.run``: scan (queue a version per record), send the project, companies, teams,
   workers, then the attendance in lists of ``WAGES_WORKERS_PLATFORM_BATCH`` rows, poll
   every receipt. Printed: rows per second for the whole run and for the attendance
   alone, and the seconds spent signing (SHA-256) and encrypting (AES of ID numbers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import tempfile
import time


def _setup(var_dir: str) -> None:
    os.environ["ZHUJIAN_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhujian.settings")
    import django

    django.setup()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench exchange_attendance")
    parser.add_argument("--workers", type=int, default=1000)
    parser.add_argument("--days", type=int, default=100)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="zj-exchange-bench-") as var_dir:
        _setup(var_dir)
        print(json.dumps(run(args.workers, args.days), ensure_ascii=False, indent=2))


def run(workers: int, days: int) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from zhujian.demo import run as demo
    from zhujian.domains.construction.models import ConstructionProject
    from zhujian.domains.wages.demo import id_number
    from zhujian.domains.wages.exchange import TARGET
    from zhujian.domains.wages.models import Attendance, Trade, Worker
    from zhujian.exchange import engine
    from zhujian.exchange.fakes.workers_platform import FakeWorkersPlatform
    from zhujian.exchange.models import Credential, Outbox
    from zhujian.exchange.protocols import workers_platform as wp

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    demo.build(seed=7, log=lambda _m: None, lines=["construction", "wages"])
    project = (
        ConstructionProject.objects.filter(realname_on__isnull=False, contractor__isnull=False)
        .order_by("pk")
        .first()
    )
    ConstructionProject.objects.exclude(pk=project.pk).update(realname_on=None)
    rng = random.Random(7)
    first_day = dt.date.today() - dt.timedelta(days=days + 1)
    made = Worker.objects.bulk_create(
        Worker(
            code=f"BENCH{i:06d}",
            project=project,
            employer_id=project.contractor_id,
            org_unit_id=project.org_unit_id,
            name=rng.choice("赵钱孙李周吴郑王") + rng.choice(["伟", "芳", "强", "敏", "杰"]),
            id_number=id_number(rng, dt.date(1970 + i % 30, 1 + i % 12, 1 + i % 28)),
            trade=rng.choice(Trade.values),
            realname_on=first_day,
            contract_signed_on=first_day,
            entered_on=first_day,
            bank_name="中国工商银行",
            bank_card=f"62220{rng.randrange(10**13, 10**14)}",
        )
        for i in range(workers)
    )
    Attendance.objects.bulk_create(
        (
            Attendance(
                worker=w,
                project=project,
                org_unit_id=project.org_unit_id,
                day=first_day + dt.timedelta(days=d),
                hours=8,
            )
            for w in made
            for d in range(days)
        ),
        batch_size=5000,
    )
    rows = Attendance.objects.filter(worker__project=project).count()
    prepared = time.monotonic() - started

    secret = "bench-secret-0123456789abcdefghi"[:32]
    fake = FakeWorkersPlatform({"430521BENCH0001": secret}).start()
    Credential.objects.create(
        target=TARGET, key=project.code, base_url=fake.url, appid="430521BENCH0001", secret=secret
    )
    os.environ["ZHUJIAN_WAGES_WORKERS_PLATFORM_RATE"] = "0"
    from django.conf import settings

    settings.ZHUJIAN_WAGES_WORKERS_PLATFORM_RATE = 0
    from zhujian.exchange.adapters import adapters

    adapters.get(TARGET).poll_s = 0.01
    wp.TIMING.signing = wp.TIMING.encrypting = 0.0
    t0 = time.monotonic()
    cpu0 = time.process_time()
    stats = engine.run(TARGET, max_seconds=3600)
    seconds = time.monotonic() - t0
    cpu = time.process_time() - cpu0
    fake.stop()
    att_rows = Outbox.objects.filter(kind="WorkerAttendance", state="done").count()
    return {
        "database": connection.vendor,
        "prepare_s": round(prepared, 1),
        "attendance_rows": rows,
        "attendance_sent": att_rows,
        "records_sent": stats.done,
        "requests": stats.requests,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "rows_per_s": round(stats.done / seconds, 1),
        "signing_s": round(wp.TIMING.signing, 3),
        "encrypting_s": round(wp.TIMING.encrypting, 3),
        "mapping_s": round(stats.seconds_mapping, 1),
        "platform_attendance_stored": len(fake.attendance),
        "duplicates": len(fake.duplicates()),
        "failed": stats.failed,
        "when": timezone.now().isoformat(timespec="seconds"),
    }
