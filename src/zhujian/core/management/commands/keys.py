"""``zhujian keys``: the SM4 data keys of personal numbers (``zhujian.core.crypto``).

- ``zhujian keys generate [--id ID]`` prints a new ``id:hex`` entry; put it first in
  ``ZHUJIAN_DATA_KEYS`` or the key file, keeping the old entries after it;
- ``zhujian keys rotate`` re-encrypts every value (records and their history) still under
  an older key, and rewrites the indexes; run it again after an interruption;
- ``zhujian keys status`` counts the stored values under each key.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from zhujian.core import crypto


class Command(BaseCommand):
    help = "个人信息加密密钥：generate 生成新密钥，rotate 用当前密钥重新加密，status 各密钥的数据量"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="生成一条新密钥（编号:64位十六进制）")
        gen.add_argument("--id", default="", help="密钥编号，默认为当天日期，如 k20261207")
        sub.add_parser("rotate", help="把仍用旧密钥加密的数据用当前密钥重新加密")
        sub.add_parser("status", help="列出各密钥加密的数据条数")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            ring = crypto.keyring()
        except Exception as exc:
            if options["action"] != "generate":
                raise CommandError(str(exc)) from exc
            ring = None
        if options["action"] == "generate":
            key_id = options["id"] or timezone.localdate().strftime("k%Y%m%d")
            try:
                self.stdout.write(crypto.generate_key(key_id))
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            return
        assert ring is not None
        models = list(crypto.encrypted_models(apps.get_models()))
        if options["action"] == "status":
            self.stdout.write(f"当前密钥：{ring.current.id}")
            for model in models:
                usage = crypto.key_usage(connection, model)
                shown = "，".join(f"{k} {n}" for k, n in sorted(usage.items())) or "无数据"
                self.stdout.write(f"{model._meta.verbose_name}（{model._meta.db_table}）：{shown}")
            return
        total = 0
        for model in models:
            with transaction.atomic():
                done = crypto.reencrypt_model(model, connection)
            total += done
            if done:
                self.stdout.write(f"{model._meta.verbose_name}：重新加密 {done} 条")
        self.stdout.write(f"完成：共重新加密 {total} 条记录，全部使用当前密钥 {ring.current.id}")
