"""Device tokens for the scan API: ``Authorization: Device <token>``.

A device authenticates as itself, not as a person: ``request.auth`` is its
:class:`ScanDevice` (with its station loaded) and ``request.user`` stays anonymous, so the
audit rows of what it writes carry no user and name the device in their change reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from zhujian.domains.lpg import conf
from zhujian.domains.lpg.models import ScanDevice
from zhujian.domains.lpg.models.scans import hash_token

KEYWORD = b"device"


class DeviceTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Any) -> tuple[AnonymousUser, ScanDevice] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2 or len(parts[1]) > 100:
            raise AuthenticationFailed("设备令牌格式不正确，应为：Authorization: Device <令牌>")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("设备令牌格式不正确") from None
        device = (
            ScanDevice.objects.select_related("station")
            .filter(token_hash=hash_token(token), active=True)
            .first()
        )
        if device is None:
            raise AuthenticationFailed("设备令牌无效或已停用")
        if not device.station.active:
            raise AuthenticationFailed("设备所属站点已停业，不能上传")
        return AnonymousUser(), device

    def authenticate_header(self, request: Any) -> str:
        return 'Device realm="zhujian-lpg"'


class IsDevice(BasePermission):
    message = "需要设备令牌（Authorization: Device <令牌>）"

    def has_permission(self, request: Any, view: Any) -> bool:
        return isinstance(request.auth, ScanDevice)


class DeviceRateThrottle(SimpleRateThrottle):
    """Uploads per device (``ZHUJIAN_LPG_DEVICE_RATE``, e.g. ``120/min``)."""

    scope = "lpg_device"

    def get_rate(self) -> str | None:
        return conf.device_rate()

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        device = request.auth
        return f"lpg-device-{device.pk}" if isinstance(device, ScanDevice) else None


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = DeviceTokenAuthentication
    name = "deviceToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "设备令牌：`Authorization: Device <令牌>`（在扫码设备页面签发，只显示一次）",
        }
