"""DRF authentication: per-client tokens (``Authorization: Bearer zj_…``) and HTTP Basic
only while the parameter ``API_BASIC_AUTH`` allows it (``core.apitokens``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from zhujian.core import apitokens


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization 头格式不对：应为 Bearer 加令牌")
        from zhujian.core.lockout import client_ip

        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("接口令牌格式不对") from None
        user, why = apitokens.authenticate(raw, ip=client_ip(request), path=request.path)
        if user is None:
            raise exceptions.AuthenticationFailed(why)
        return user, None

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


class OptionalBasicAuthentication(authentication.BasicAuthentication):
    """DRF's Basic, refused with a Chinese message when the parameter turns it off."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != b"basic":
            return None
        if not apitokens.basic_allowed():
            raise exceptions.AuthenticationFailed(
                "本系统已关闭用户名和密码（HTTP Basic）认证，请使用接口令牌（Authorization: Bearer …）"
            )
        result = super().authenticate(request)
        if result is not None:
            from zhujian.core import twofactor

            if twofactor.asked(result[0]):  # a password alone must not open such an account
                raise exceptions.AuthenticationFailed(
                    "该账号须用动态口令登录，接口不接受其用户名和密码，请使用接口令牌"
                )
        return result

    def authenticate_header(self, request: Any) -> str:
        if not apitokens.basic_allowed():
            return 'Bearer realm="api"'
        return super().authenticate_header(request)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "接口令牌：`Authorization: Bearer <令牌>`（在“账号安全”页签发，只显示一次，有有效期）",
        }


class OptionalBasicScheme(OpenApiAuthenticationExtension):
    target_class = OptionalBasicAuthentication
    name = "basicAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "basic",
            "description": "用户名和密码；参数 API_BASIC_AUTH 为 0 时（生产环境）不接受",
        }
