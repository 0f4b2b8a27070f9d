from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run background jobs (imports, report files, exports): claim each from the database "
        "and run it in a process of its own with a memory and time limit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue-name", default="default", help="queues, comma separated")
        parser.add_argument("--backend", default="default", help="the tasks backend alias")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks for new jobs"
        )
        parser.add_argument(
            "--batch", action="store_true", help="run the jobs waiting now, then exit"
        )
        parser.add_argument("--max-tasks", type=int, help="exit after this many jobs")
        parser.add_argument("--worker-id", help="unique id (default: random)")
        parser.add_argument(
            "--memory-mb",
            type=int,
            default=None,
            help=f"a job's address-space limit (default ZHUJIAN_JOB_MEMORY_MB = "
            f"{settings.ZHUJIAN_JOB_MEMORY_MB}; 0 = none)",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=None,
            help=f"a job's time limit in seconds (default ZHUJIAN_JOB_TIMEOUT_S = "
            f"{settings.ZHUJIAN_JOB_TIMEOUT_S})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import logging

        from zhujian.jobs.worker import main_loop

        level = {0: logging.WARNING, 1: logging.INFO}.get(options["verbosity"], logging.DEBUG)
        logging.getLogger("zhujian.jobs").setLevel(level)
        main_loop(
            worker_id=options["worker_id"],
            queue_names=options["queue_name"].split(","),
            backend_name=options["backend"],
            interval=options["interval"],
            batch=options["batch"],
            max_tasks=options["max_tasks"],
            memory_mb=options["memory_mb"],
            timeout_s=options["timeout"],
        )
