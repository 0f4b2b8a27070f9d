"""瓶装液化气安全监管 ledgers, split by topic."""

from zhujian.domains.lpg.models.inspections import CylinderInspection, InspectionResult
from zhujian.domains.lpg.models.registers import (
    Customer,
    CustomerKind,
    Cylinder,
    CylinderSpec,
    Station,
)
from zhujian.domains.lpg.models.scans import DeviceKind, ScanDevice, ScanEvent

__all__ = [
    "Customer",
    "CustomerKind",
    "Cylinder",
    "CylinderInspection",
    "CylinderSpec",
    "DeviceKind",
    "InspectionResult",
    "ScanDevice",
    "ScanEvent",
    "Station",
]
