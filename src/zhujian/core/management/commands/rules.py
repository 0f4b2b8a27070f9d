"""``zhujian rules``: the legal rules over several records, and ``zhujian rules check``."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhujian.core import invariants
from zhujian.core.registry import registry

# Violations printed per rule before the rest are only counted.
SHOWN_PER_RULE = 200


def guarded_ledgers(rule: invariants.Invariant) -> list[str]:
    """``台账名称（name）`` of each ledger the rule reads."""
    out = []
    for reads in rule.reads:
        ledger = registry.find(reads.model)
        label = str(reads.model._meta.verbose_name)
        out.append(f"{label}（{ledger.name}）" if ledger else label)
    return out


class Command(BaseCommand):
    help = (
        "列出所有跨记录的法定规则（规则代码、名称、法律依据、所守护的台账）；"
        "`zhujian rules check` 用全部规则重新核验已存储的数据，列出违反之处（有则退出码为1）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["list", "check"], default="list")
        parser.add_argument("--rule", action="append", default=[], help="只核验这些规则代码")

    def handle(self, *args: Any, **options: Any) -> None:
        chosen = options["rule"]
        unknown = [c for c in chosen if c not in {r.code for r in invariants.rules}]
        if unknown:
            known = "、".join(r.code for r in invariants.rules)
            raise CommandError(f"没有规则代码 {'、'.join(unknown)}；可用的规则：{known}")
        rules = [r for r in invariants.rules if not chosen or r.code in chosen]
        if options["action"] == "list":
            self.list(rules)
        elif self.check(rules):
            sys.exit(1)

    def list(self, rules: list[invariants.Invariant]) -> None:
        for rule in rules:
            self.stdout.write(f"{rule.code}\t{rule.title}\t依据：{rule.source}")
            self.stdout.write(f"\t守护台账：{'、'.join(guarded_ledgers(rule))}")
            if rule.note:
                self.stdout.write(f"\t{rule.note}")

    def check(self, rules: list[invariants.Invariant]) -> int:
        """Print every violation; the number found."""
        total = 0
        for rule in rules:
            found = 0
            for anchor, violation in invariants.check_all(rule):
                found += 1
                if found <= SHOWN_PER_RULE:
                    label = rule.anchor._meta.verbose_name
                    self.stdout.write(
                        f"{rule.code}\t{label}“{anchor}”（编号{anchor.pk}）\t{rule.refusal(violation)}"
                    )
            if found > SHOWN_PER_RULE:
                self.stdout.write(f"{rule.code}\t……另有{found - SHOWN_PER_RULE}处未列出")
            self.stdout.write(
                f"{rule.code}\t{rule.title}：{'发现' + str(found) + '处违反' if found else '全部符合'}"
            )
            total += found
        self.stdout.write(
            f"共核验{len(rules)}条规则，发现{total}处违反"
            if total
            else f"共核验{len(rules)}条规则，全部符合"
        )
        return total
