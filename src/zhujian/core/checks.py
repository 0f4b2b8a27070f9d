"""``zhujian check --deploy``: what production settings must not lack (issue 24)."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security, deploy=True)
def data_key_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Personal numbers need a readable SM4 key of the deployer's own (core.crypto)."""
    from zhujian.core import crypto

    try:
        ring = crypto.keyring()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="zhujian.E241")]
    if (
        any(k.id == "dev" for k in ring.keys)
        and crypto.configured_keys() == crypto.DEVELOPMENT_KEYS
    ):
        return [
            checks.Error(
                "正在使用公开的开发用数据加密密钥：生产环境请用 zhujian keys generate 生成密钥文件，"
                "并设置 ZHUJIAN_DATA_KEY_FILE",
                id="zhujian.E242",
            )
        ]
    return []
