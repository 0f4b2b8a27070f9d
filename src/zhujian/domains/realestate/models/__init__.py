"""（七）房地产 ledgers, split by topic."""

from zhujian.domains.realestate.models.contracts import (
    FILING_DEADLINES,
    NOT_HOUSING,
    ContractState,
    SalesContract,
    SalesEvent,
    Use,
    sold_by,
)
from zhujian.domains.realestate.models.escrow import (
    EscrowAccount,
    EscrowDeposit,
    EscrowRelease,
)
from zhujian.domains.realestate.models.projects import DevelopmentProject, PresalePermit

__all__ = [
    "FILING_DEADLINES",
    "NOT_HOUSING",
    "ContractState",
    "DevelopmentProject",
    "EscrowAccount",
    "EscrowDeposit",
    "EscrowRelease",
    "PresalePermit",
    "SalesContract",
    "SalesEvent",
    "Use",
    "sold_by",
]
