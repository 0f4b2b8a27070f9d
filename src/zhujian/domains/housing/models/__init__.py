"""（四）住房保障 ledgers, split by topic."""

from zhujian.domains.housing.models.demolition import (
    DemolitionArea,
    DemolitionHousehold,
    HomesteadKind,
)
from zhujian.domains.housing.models.draw import (
    AllocationRound,
    DrawResult,
    PublicInput,
    PublishedList,
    RecordLocked,
    RoundHousehold,
    RoundStatus,
    RoundUnit,
)
from zhujian.domains.housing.models.property import (
    OwnersCommittee,
    PropertyCompany,
    ResidentialCommunity,
)
from zhujian.domains.housing.models.renovation import (
    ItemClass,
    OldCommunity,
    RenovationItem,
    ShantytownProject,
    StopReason,
)
from zhujian.domains.housing.models.rental import (
    AffordableTransaction,
    EligibilityReview,
    RentalKind,
    RentalSubsidy,
    RentalUnit,
    RentBill,
    RentPayment,
    ReviewResult,
    Tenancy,
    TransferKind,
)

__all__ = [
    "AffordableTransaction",
    "AllocationRound",
    "DemolitionArea",
    "DemolitionHousehold",
    "DrawResult",
    "EligibilityReview",
    "HomesteadKind",
    "ItemClass",
    "OldCommunity",
    "OwnersCommittee",
    "PropertyCompany",
    "PublicInput",
    "PublishedList",
    "RecordLocked",
    "RenovationItem",
    "RentBill",
    "RentPayment",
    "RentalKind",
    "RentalSubsidy",
    "RentalUnit",
    "ResidentialCommunity",
    "ReviewResult",
    "RoundHousehold",
    "RoundStatus",
    "RoundUnit",
    "ShantytownProject",
    "StopReason",
    "Tenancy",
    "TransferKind",
]
