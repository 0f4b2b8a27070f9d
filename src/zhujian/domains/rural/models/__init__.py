"""（三）村镇建设 ledgers, split by topic."""

from zhujian.domains.rural.models.dilapidated import (
    DilapidatedHousing,
    DilapidatedTask,
    PaymentChannel,
)
from zhujian.domains.rural.models.heating import CleanHeatHousehold, CleanHeatTask
from zhujian.domains.rural.models.selfbuilt import SelfBuiltHouse
from zhujian.domains.rural.models.toilets import (
    EquipmentAllocation,
    EquipmentPurchase,
    FundSource,
    PublicToilet,
    ToiletFund,
    ToiletFundAllocation,
    ToiletHousehold,
    ToiletStation,
)
from zhujian.domains.rural.models.towns import (
    HistoricTownPlan,
    PlanningDocument,
    SewageOperation,
    SewageStation,
    SmallWork,
)
from zhujian.domains.rural.models.validators import mask_id_number

__all__ = [
    "CleanHeatHousehold",
    "CleanHeatTask",
    "DilapidatedHousing",
    "DilapidatedTask",
    "EquipmentAllocation",
    "EquipmentPurchase",
    "FundSource",
    "HistoricTownPlan",
    "PaymentChannel",
    "PlanningDocument",
    "PublicToilet",
    "SelfBuiltHouse",
    "SewageOperation",
    "SewageStation",
    "SmallWork",
    "ToiletFund",
    "ToiletFundAllocation",
    "ToiletHousehold",
    "ToiletStation",
    "mask_id_number",
]
