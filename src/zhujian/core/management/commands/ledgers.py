from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhujian.core.registry import registry


class Command(BaseCommand):
    help = "List the registered ledgers: name, Chinese name, row count (one a line)."

    def handle(self, *args: Any, **options: Any) -> None:
        for ledger in registry:
            count = ledger.model._default_manager.count()
            self.stdout.write(f"{ledger.name}\t{ledger.label}\t{count}")
