"""农民工工资 ledgers: arrears cases, and the real-name wage supervision of projects."""

from zhujian.domains.wages.models.accounts import GuaranteeKind, ProjectWageSetup
from zhujian.domains.wages.models.cases import CaseSource, WageCase
from zhujian.domains.wages.models.pay import PayLine, PaySheet, WagePayment
from zhujian.domains.wages.models.workers import Attendance, Trade, Worker

__all__ = [
    "Attendance",
    "CaseSource",
    "GuaranteeKind",
    "PayLine",
    "PaySheet",
    "ProjectWageSetup",
    "Trade",
    "WageCase",
    "WagePayment",
    "Worker",
]
