"""Ledger declarations for （三）村镇建设."""

from zhujian.core.registry import Ledger, registry
from zhujian.domains.rural import demo
from zhujian.domains.rural.models import (
    CleanHeatHousehold,
    CleanHeatTask,
    DilapidatedHousing,
    DilapidatedTask,
    EquipmentAllocation,
    EquipmentPurchase,
    HistoricTownPlan,
    PlanningDocument,
    PublicToilet,
    SelfBuiltHouse,
    SewageOperation,
    SewageStation,
    SmallWork,
    ToiletFund,
    ToiletFundAllocation,
    ToiletHousehold,
    ToiletStation,
)

# --- 农村改厕 ---------------------------------------------------------------------------
registry.register(
    Ledger(
        model=ToiletHousehold,
        township_codes=["household_code"],
        line="toilet",
        list_display=[
            "household_code",
            "head_name",
            "org_unit",
            "renovated",
            "toilet_type",
            "problem_count",
            "willing",
            "surveyed_on",
        ],
        filters=["renovated", "toilet_type", "problem_category", "willing", "surveyed_on"],
        search=["household_code", "head_name"],
        natural_key=["household_code"],
        date_field="surveyed_on",
        demo=demo.toilet_households,
        help="户户到、大排查：每户一行。身份证号照证件填写完整号码，系统只保存脱敏后的号码。",
    )
)
registry.register(
    Ledger(
        model=PublicToilet,
        township_codes=["code"],
        line="toilet",
        list_display=["code", "name", "org_unit", "surveyed_on", "problem_count", "rectified_on"],
        filters=["surveyed_on"],
        search=["code", "name", "address"],
        natural_key=["code"],
        date_field="surveyed_on",
        demo=demo.public_toilets,
    )
)
registry.register(
    Ledger(
        model=ToiletStation,
        township_codes=["code"],
        line="toilet",
        list_display=["code", "name", "org_unit", "status", "staff", "surveyed_on"],
        filters=["status"],
        search=["code", "name"],
        natural_key=["code"],
        date_field="surveyed_on",
        demo=demo.toilet_stations,
    )
)
registry.register(
    Ledger(
        model=ToiletFund,
        township_codes=["document_number"],
        line="toilet",
        list_display=["document_number", "name", "source", "amount", "received_on"],
        filters=["source", "received_on"],
        search=["document_number", "name"],
        natural_key=["document_number"],
        date_field="received_on",
        demo=demo.toilet_funds,
    )
)
registry.register(
    Ledger(
        model=ToiletFundAllocation,
        line="toilet",
        list_display=["fund", "org_unit", "amount", "households", "paid_on"],
        filters=["paid_on"],
        natural_key=["fund", "org_unit"],
        date_field="paid_on",
        parent="fund",
        demo=demo.toilet_funds,
    )
)
registry.register(
    Ledger(
        model=EquipmentPurchase,
        township_codes=["contract_number"],
        line="toilet",
        list_display=["contract_number", "kind", "volume", "units", "investment", "purchased_on"],
        filters=["kind", "purchased_on"],
        search=["contract_number", "supplier"],
        natural_key=["contract_number"],
        date_field="purchased_on",
        demo=demo.equipment,
    )
)
registry.register(
    Ledger(
        model=EquipmentAllocation,
        line="toilet",
        list_display=["purchase", "org_unit", "units", "allocated_on"],
        filters=["allocated_on"],
        natural_key=["purchase", "org_unit"],
        date_field="allocated_on",
        parent="purchase",
        demo=demo.equipment,
    )
)

# --- 经营性自建房 -----------------------------------------------------------------------
registry.register(
    Ledger(
        model=SelfBuiltHouse,
        township_codes=["code"],
        line="selfbuilt",
        list_display=[
            "code",
            "address",
            "org_unit",
            "floors",
            "use",
            "hazard",
            "grade",
            "rectified_on",
        ],
        filters=["hazard", "grade", "structure", "use", "surveyed_on"],
        search=["code", "address", "owner"],
        natural_key=["code"],
        date_field="surveyed_on",
        demo=demo.selfbuilt,
        help="排查 → 初判 → 鉴定 → 整治，按顺序填写各阶段日期；撤销已填阶段须写明原因。",
    )
)

# --- 农村危房改造 -----------------------------------------------------------------------
registry.register(
    Ledger(
        model=DilapidatedTask,
        line="dilapidated",
        list_display=[
            "year",
            "org_unit",
            "households",
            "central_funds",
            "provincial_funds",
            "issued_on",
        ],
        filters=["year"],
        natural_key=["year", "org_unit"],
        date_field="issued_on",
        demo=demo.dilapidated,
    )
)
registry.register(
    Ledger(
        model=DilapidatedHousing,
        township_codes=["case_number"],
        line="dilapidated",
        list_display=[
            "case_number",
            "head_name",
            "org_unit",
            "year",
            "started_on",
            "completed_on",
            "paid_on",
            "subsidy",
        ],
        filters=["year", "method", "channel", "completed_on"],
        search=["case_number", "head_name"],
        natural_key=["case_number"],
        date_field="applied_on",
        demo=demo.dilapidated,
        help="“七步走”：申请 → 鉴定 → 审批 → 开工 → 竣工 → 验收 → 拨付，按顺序填写日期。",
    )
)

# --- 农村清洁取暖 -----------------------------------------------------------------------
registry.register(
    Ledger(
        model=CleanHeatTask,
        line="cleanheat",
        list_display=["year", "org_unit", "households", "issued_on"],
        filters=["year"],
        natural_key=["year", "org_unit"],
        date_field="issued_on",
        demo=demo.cleanheat,
    )
)
registry.register(
    Ledger(
        model=CleanHeatHousehold,
        township_codes=["household_code"],
        line="cleanheat",
        list_display=[
            "household_code",
            "head_name",
            "org_unit",
            "year",
            "device",
            "installed_on",
            "accepted_on",
        ],
        filters=["year", "device", "installed_on", "accepted_on"],
        search=["household_code", "head_name"],
        natural_key=["household_code"],
        date_field="installed_on",
        demo=demo.cleanheat,
    )
)

# --- 限额以下工程、规划、名镇、污水处理站 ------------------------------------------------
registry.register(
    Ledger(
        model=SmallWork,
        township_codes=["code"],
        line="smallworks",
        list_display=["code", "name", "org_unit", "started_on", "checked_on", "video_installed"],
        filters=["video_installed", "started_on"],
        search=["code", "name", "builder"],
        natural_key=["code"],
        date_field="started_on",
        demo=demo.small_works,
    )
)
registry.register(
    Ledger(
        model=PlanningDocument,
        line="townplan",
        list_display=["title", "kind", "status", "drafted_on", "submitted_on", "issued_on"],
        filters=["kind", "status"],
        search=["title"],
        natural_key=["title"],
        date_field="drafted_on",
        demo=demo.planning,
    )
)
registry.register(
    Ledger(
        model=HistoricTownPlan,
        line="townplan",
        list_display=["title", "org_unit", "reviewed_on", "approved_on"],
        search=["title"],
        natural_key=["title"],
        date_field="approved_on",
        demo=demo.planning,
    )
)
registry.register(
    Ledger(
        model=SewageStation,
        township_codes=["code"],
        line="sewage",
        list_display=["code", "name", "org_unit", "capacity", "status", "handed_over_on"],
        filters=["status"],
        search=["code", "name", "operator"],
        natural_key=["code"],
        demo=demo.sewage,
    )
)
registry.register(
    Ledger(
        model=SewageOperation,
        line="sewage",
        list_display=["station", "month", "treated", "running_days", "effluent_ok"],
        filters=["month", "effluent_ok"],
        natural_key=["station", "month"],
        date_field="month",
        parent="station",
        demo=demo.sewage,
    )
)
