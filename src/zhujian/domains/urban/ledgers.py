"""（二）城市建设与公用事业: ledger declarations."""

from zhujian.core.registry import Ledger, registry
from zhujian.domains.urban import demo
from zhujian.domains.urban.models import (
    Discharger,
    DischargerSample,
    DrainageProject,
    DutyShift,
    EffluentSample,
    EmergencyMember,
    EmergencyTeam,
    FloodDrill,
    FloodInspection,
    FloodMaterial,
    FloodPlan,
    GasCase,
    GasCompany,
    GasInspection,
    GasService,
    GasSupply,
    HeatingMaintenance,
    HeatingProject,
    HeatingSeason,
    HeatSource,
    MeterInstallation,
    MunicipalProject,
    PlantActivity,
    ProjectProgress,
    WastewaterPlant,
    WaterMain,
    WaterSupply,
)

# 市政道路与重点工程
registry.register(
    Ledger(
        model=MunicipalProject,
        line="municipal",
        list_display=["code", "name", "kind", "segment_from", "segment_to", "stage", "org_unit"],
        filters=["kind", "stage", "area", "plan_year"],
        search=["code", "name", "road"],
        natural_key=["code"],
        date_field="started_on",
        ordering=["code"],
        demo=demo.projects,
        report_tags=True,
    )
)
registry.register(
    Ledger(
        model=ProjectProgress,
        line="municipal",
        list_display=["project", "reported_on", "cumulative_investment", "percent_complete"],
        filters=["project", "reported_on"],
        search=["note", "project__name"],
        natural_key=["project", "reported_on"],
        date_field="reported_on",
        ordering=["-reported_on", "-id"],
        parent="project",
        demo=demo.projects,
        help="累计完成投资和形象进度只增不减（与同一项目前后两次填报比较）。",
    )
)

# 燃气
registry.register(
    Ledger(
        model=GasCompany,
        line="gas",
        list_display=["name", "kind", "org_unit", "licence_number", "active"],
        filters=["kind", "active"],
        search=["name", "licence_number", "address"],
        natural_key=["name"],
        ordering=["kind", "name"],
        demo=demo.gas,
    )
)
registry.register(
    Ledger(
        model=GasSupply,
        line="gas",
        list_display=["company", "month", "natural_gas", "lpg_tonnes", "users"],
        filters=["company", "month"],
        search=["company__name"],
        natural_key=["company", "month"],
        date_field="month",
        ordering=["-month", "company"],
        parent="company",
        demo=demo.gas,
    )
)
registry.register(
    Ledger(
        model=GasInspection,
        inspects=True,
        line="gas",
        list_display=["code", "inspected_on", "kind", "company", "target", "quarter"],
        filters=["kind", "quarter", "inspected_on", "company"],
        search=["code", "target", "inspectors", "findings"],
        natural_key=["code"],
        date_field="inspected_on",
        ordering=["-inspected_on", "-id"],
        demo=demo.gas,
        help="检查发现的隐患在“隐患闭环”中登记、下达整改通知、整改和验收销号。",
    )
)
registry.register(
    Ledger(
        model=GasCase,
        line="gas",
        list_display=["number", "opened_on", "violation", "party", "transferred_to", "closed_on"],
        filters=["opened_on", "transferred_to"],
        search=["number", "violation", "party", "address"],
        natural_key=["number"],
        date_field="opened_on",
        ordering=["-opened_on"],
        demo=demo.gas_cases,
    )
)
registry.register(
    Ledger(
        model=GasService,
        line="gas",
        list_display=["served_on", "kind", "recipient", "quantity", "org_unit"],
        filters=["kind", "served_on"],
        search=["recipient", "staff"],
        natural_key=["kind", "served_on", "recipient"],
        date_field="served_on",
        ordering=["-served_on", "-id"],
        demo=demo.gas_services,
    )
)

# 供热
registry.register(
    Ledger(
        model=HeatingSeason,
        line="heating",
        list_display=["start_year", "end_year", "heated_area", "started_on", "ended_on"],
        filters=["start_year"],
        natural_key=["start_year"],
        date_field="started_on",
        ordering=["-start_year"],
        demo=demo.heating,
    )
)
registry.register(
    Ledger(
        model=HeatSource,
        line="heating",
        list_display=["name", "kind", "operator", "capacity_mw", "in_service"],
        filters=["kind", "in_service"],
        search=["name", "operator"],
        natural_key=["name"],
        ordering=["name"],
        demo=demo.heating,
    )
)
registry.register(
    Ledger(
        model=HeatingProject,
        line="heating",
        list_display=["code", "name", "kind", "year", "planned_investment", "completed_investment"],
        filters=["kind", "year"],
        search=["code", "name"],
        natural_key=["code"],
        date_field="started_on",
        ordering=["-year", "code"],
        demo=demo.heating,
    )
)
registry.register(
    Ledger(
        model=HeatingMaintenance,
        line="heating",
        list_display=["number", "reported_on", "facility", "problem", "completed_on"],
        filters=["facility", "reported_on"],
        search=["number", "location", "problem"],
        natural_key=["number"],
        date_field="reported_on",
        ordering=["-reported_on", "-id"],
        demo=demo.heating,
    )
)

# 供水
registry.register(
    Ledger(
        model=WaterSupply,
        line="water",
        list_display=["month", "volume", "revenue", "users"],
        filters=["month"],
        natural_key=["month"],
        date_field="month",
        ordering=["-month"],
        demo=demo.water,
    )
)
registry.register(
    Ledger(
        model=WaterMain,
        line="water",
        list_display=["name", "road", "diameter_mm", "length_km", "completed_on"],
        filters=["completed_on", "diameter_mm"],
        search=["name", "road"],
        natural_key=["name"],
        date_field="completed_on",
        ordering=["-completed_on"],
        demo=demo.water,
    )
)
registry.register(
    Ledger(
        model=MeterInstallation,
        line="water",
        list_display=["installed_on", "place", "kind", "quantity", "org_unit"],
        filters=["kind", "installed_on"],
        search=["place"],
        natural_key=["place", "kind", "installed_on"],
        date_field="installed_on",
        ordering=["-installed_on", "-id"],
        demo=demo.water,
    )
)

# 排水
registry.register(
    Ledger(
        model=Discharger,
        line="drainage",
        list_display=["name", "trade", "org_unit", "permit_number", "permit_expires_on"],
        filters=["trade", "permit_expires_on"],
        search=["name", "address", "permit_number"],
        natural_key=["name"],
        ordering=["name"],
        demo=demo.drainage,
    )
)
registry.register(
    Ledger(
        model=DischargerSample,
        line="drainage",
        list_display=["discharger", "sampled_on", "cod", "ammonia", "compliant"],
        filters=["compliant", "sampled_on"],
        search=["discharger__name", "sampler"],
        natural_key=["discharger", "sampled_on"],
        date_field="sampled_on",
        ordering=["-sampled_on", "-id"],
        parent="discharger",
        demo=demo.drainage,
    )
)
registry.register(
    Ledger(
        model=WastewaterPlant,
        line="drainage",
        list_display=["name", "operator", "capacity", "in_operation", "commissioned_on"],
        filters=["in_operation"],
        search=["name", "operator"],
        natural_key=["name"],
        ordering=["name"],
        demo=demo.drainage,
    )
)
registry.register(
    Ledger(
        model=EffluentSample,
        line="drainage",
        list_display=["plant", "sampled_on", "cod", "ammonia", "compliant"],
        filters=["plant", "compliant", "sampled_on"],
        natural_key=["plant", "sampled_on"],
        date_field="sampled_on",
        ordering=["-sampled_on", "-id"],
        parent="plant",
        demo=demo.drainage,
    )
)
registry.register(
    Ledger(
        model=PlantActivity,
        line="drainage",
        list_display=["plant", "kind", "held_on", "participants", "score"],
        filters=["plant", "kind", "held_on"],
        search=["summary"],
        natural_key=["plant", "kind", "held_on"],
        date_field="held_on",
        ordering=["-held_on", "-id"],
        parent="plant",
        demo=demo.drainage,
    )
)
registry.register(
    Ledger(
        model=DrainageProject,
        line="drainage",
        list_display=["code", "name", "investment", "total_length_m", "laid_length_m"],
        filters=["expected_done_on"],
        search=["code", "name"],
        natural_key=["code"],
        date_field="started_on",
        ordering=["code"],
        demo=demo.drainage,
        help="已铺设长度不能超过工程全长。",
        report_tags=True,
    )
)

# 防汛
registry.register(
    Ledger(
        model=FloodPlan,
        line="flood",
        list_display=["issued_on", "number", "title", "year"],
        filters=["year", "issued_on"],
        search=["title", "number"],
        natural_key=["number"],
        date_field="issued_on",
        ordering=["-issued_on"],
        demo=demo.flood,
    )
)
registry.register(
    Ledger(
        model=FloodInspection,
        inspects=True,
        line="flood",
        list_display=["code", "inspected_on", "point_kind", "location", "problems_found"],
        filters=["point_kind", "inspected_on"],
        search=["code", "location", "inspectors", "findings"],
        natural_key=["code"],
        date_field="inspected_on",
        ordering=["-inspected_on", "-id"],
        demo=demo.flood,
        help="检查发现的问题在“隐患闭环”中登记、整改和验收销号。",
    )
)
registry.register(
    Ledger(
        model=FloodDrill,
        line="flood",
        list_display=["held_on", "scenario", "location", "participants", "equipment"],
        filters=["held_on"],
        search=["scenario", "location"],
        natural_key=["held_on", "scenario"],
        date_field="held_on",
        ordering=["-held_on"],
        demo=demo.flood,
    )
)
registry.register(
    Ledger(
        model=EmergencyTeam,
        line="flood",
        list_display=["name", "formed_on", "disbanded_on", "captain"],
        filters=["formed_on"],
        search=["name", "captain"],
        natural_key=["name"],
        date_field="formed_on",
        ordering=["-formed_on", "name"],
        demo=demo.flood,
    )
)
registry.register(
    Ledger(
        model=EmergencyMember,
        line="flood",
        list_display=["team", "name", "org_unit", "role", "joined_on", "left_on"],
        filters=["team", "joined_on"],
        search=["name", "phone"],
        natural_key=["team", "name", "phone"],
        date_field="joined_on",
        ordering=["team", "name"],
        parent="team",
        demo=demo.flood,
        help="所属单位填写队员抽调自的局属部门。",
    )
)
registry.register(
    Ledger(
        model=FloodMaterial,
        line="flood",
        list_display=["name", "spec", "quantity", "unit", "depot", "checked_on"],
        filters=["depot", "checked_on"],
        search=["name", "spec"],
        natural_key=["name", "spec", "depot"],
        date_field="checked_on",
        ordering=["depot", "name"],
        demo=demo.flood,
    )
)
registry.register(
    Ledger(
        model=DutyShift,
        line="flood",
        list_display=["day", "leader", "rank", "staff", "hours"],
        filters=["day", "rank"],
        search=["leader", "staff"],
        natural_key=["day"],
        date_field="day",
        ordering=["-day"],
        demo=demo.flood,
    )
)
