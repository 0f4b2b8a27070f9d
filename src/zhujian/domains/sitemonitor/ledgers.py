"""The site-monitoring ledger: each HJ 212 device's receiver settings (接入参数)."""

from __future__ import annotations

from zhujian.core.personal import SECRET, PersonalData
from zhujian.core.registry import Ledger, registry
from zhujian.domains.sitemonitor import demo
from zhujian.domains.sitemonitor.models import DeviceProtocol

registry.register(
    Ledger(
        model=DeviceProtocol,
        line="construction",
        list_display=["device", "crc", "factor_units", "enabled"],
        filters=["crc", "enabled"],
        search=["device__code", "device__mn", "device__project__name"],
        natural_key=["device"],
        ordering=["device"],
        personal=PersonalData({"password": SECRET}),
        parent="device",
        demo=demo.build,
        demo_order=120,
        help=(
            "扬尘、噪声监测设备接入 HJ 212 接收服务的参数：访问密码、CRC 算法，"
            "以及与设备浓度单位不同的个别因子单位。未登记的设备发来的数据一律拒收。"
        ),
    )
)

from zhujian.domains.sitemonitor import panels  # noqa: E402, F401  (dashboard and site links)
