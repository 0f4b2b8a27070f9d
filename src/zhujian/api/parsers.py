"""The API's JSON parser: DRF's, with the nesting bound of :func:`zhujian.core.bounds.load_json`.

DRF's own parser turns ``ValueError`` into a 400 but lets the ``RecursionError`` of a deeply
nested body (``[[[[…]]]]``, a few hundred kilobytes) through as a server error.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.settings import api_settings

from zhujian.core import bounds


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = get_encoding(parser_context or {})  # text codecs only (no bz2_codec)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError:
            raise ParseError(f"请求体不是有效的 {encoding} 编码") from None
        constant = _refuse_constant if api_settings.STRICT_JSON else None
        try:
            return bounds.load_json(text, parse_constant=constant)
        except ValueError as exc:
            raise ParseError(f"请求体不是有效的 JSON：{exc}") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"不支持 {name}（JSON 中不能有 NaN 或 Infinity）")
