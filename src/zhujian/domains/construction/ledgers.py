"""（六）建筑行业监管: ledger declarations, and the licence-expiry panel on record pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from zhujian.core.models import User
from zhujian.core.registry import Ledger, registry
from zhujian.domains.construction import demo
from zhujian.domains.construction.models import (
    Building,
    Campaign,
    CampaignLog,
    CampaignMeasure,
    ConstructionProject,
    Enterprise,
    EnterpriseKind,
    FireAcceptance,
    Licence,
    LicenceKind,
    LiftingMachine,
    Participant,
    PrefabApplication,
    SafetyAgreement,
    SiteDevice,
    SiteInspection,
    SmartSitePilot,
    Suspension,
    Tender,
    ViolationLead,
)
from zhujian.domains.construction.models.cranes import DEADLINES as CRANE_DEADLINES

LINE = "construction"
# Every ledger a generator fills names the same order: enterprises before the projects
# that name them, projects before machines, inspections and devices on them.
DEMO_ORDER = {
    demo.enterprises: 100,
    demo.projects: 101,
    demo.machines: 102,
    demo.inspections: 103,
    demo.campaigns: 104,
    demo.smart_sites: 105,
    demo.fire: 106,
    demo.tenders: 106,
}

# --- enterprises -----------------------------------------------------------------------
registry.register(
    Ledger(
        model=Enterprise,
        line=LINE,
        list_display=["uscc", "name", "kind", "local", "legal_rep", "org_unit"],
        filters=["kind", "local"],
        search=["uscc", "name", "legal_rep", "address"],
        natural_key=["uscc"],
        ordering=["name"],
        demo=demo.enterprises,
        demo_order=DEMO_ORDER[demo.enterprises],
        help="以统一社会信用代码（18位，按GB 32100校验）识别企业；项目、起重机械、"
        "农民工工资等台账按此代码引用企业。",
    )
)
registry.register(
    Ledger(
        model=Licence,
        line=LINE,
        list_display=["number", "enterprise", "kind", "scope", "issued_on", "expires_on"],
        filters=["kind", "expires_on", "enterprise"],
        search=["number", "scope", "enterprise__name"],
        natural_key=["number"],
        date_field="issued_on",
        ordering=["expires_on", "number"],
        parent="enterprise",
        demo=demo.enterprises,
        demo_order=DEMO_ORDER[demo.enterprises],
        help="安全生产许可证有效期3年。“有效期至”早于今天且未延续的许可证在企业和证照页面"
        "标为已过期；指标“安全生产许可证已过期未延续”按期末日期列出。",
    )
)
registry.register(
    Ledger(
        model=SafetyAgreement,
        line=LINE,
        list_display=["number", "enterprise", "year", "signed_on"],
        filters=["year", "signed_on"],
        search=["number", "enterprise__name"],
        natural_key=["number"],
        date_field="signed_on",
        ordering=["-signed_on", "number"],
        parent="enterprise",
        demo=demo.enterprises,
        demo_order=DEMO_ORDER[demo.enterprises],
    )
)

# --- projects ----------------------------------------------------------------------------
registry.register(
    Ledger(
        model=ConstructionProject,
        line=LINE,
        list_display=[
            "code",
            "name",
            "area_kind",
            "floor_area",
            "contractor",
            "started_on",
            "completed_on",
            "org_unit",
        ],
        filters=["area_kind", "use", "started_on", "completed_on", "realname_on"],
        search=["code", "name", "permit_number", "developer", "address"],
        natural_key=["code"],
        date_field="started_on",
        ordering=["-started_on", "code"],
        demo=demo.projects,
        demo_order=DEMO_ORDER[demo.projects],
        report_tags=True,
        help="一个项目即一处工地：检查、起重机械、监测设备、参建单位都挂在项目上。"
        "施工许可 → 开工 → 竣工验收按日期依次填写。",
    )
)
registry.register(
    Ledger(
        model=Building,
        line=LINE,
        list_display=["project", "name", "structure", "floors", "area", "started_on"],
        filters=["structure", "started_on", "project"],
        search=["name", "project__name"],
        natural_key=["project", "name"],
        date_field="started_on",
        ordering=["project", "name"],
        parent="project",
        demo=demo.projects,
        demo_order=DEMO_ORDER[demo.projects],
        help="单体面积合计不能超过项目总建筑面积；单体开工不能早于项目施工许可。",
    )
)
registry.register(
    Ledger(
        model=Participant,
        line=LINE,
        list_display=["project", "enterprise", "role", "entered_on", "left_on"],
        filters=["role", "entered_on"],
        search=["project__name", "enterprise__name", "scope"],
        natural_key=["project", "enterprise", "role"],
        date_field="entered_on",
        ordering=["project", "role"],
        parent="project",
        demo=demo.projects,
        demo_order=DEMO_ORDER[demo.projects],
    )
)

# --- lifting machines ------------------------------------------------------------------------
registry.register(
    Ledger(
        model=LiftingMachine,
        line=LINE,
        list_display=[
            "record_number",
            "kind",
            "owner",
            "project",
            "accepted_on",
            "registered_on",
            "late_registration",
            "assessment_due_on",
        ],
        filters=[
            "kind",
            "inspection_result",
            "acceptance_result",
            "late_registration",
            "filed_on",
            "registered_on",
            "assessment_due_on",
        ],
        deadlines=CRANE_DEADLINES,
        search=["record_number", "spec", "factory_number", "registration_number"],
        natural_key=["record_number"],
        date_field="filed_on",
        ordering=["-filed_on", "record_number"],
        demo=demo.machines,
        demo_order=DEMO_ORDER[demo.machines],
        help="产权备案 → 安装告知 → 安装 → 检验 → 验收 → 使用登记 → 拆卸告知 → 拆卸 → 注销，"
        "按日期依次填写：未告知不得安装、拆卸；检验、验收须填写结论，不合格的不得使用登记，"
        "未投入使用的可直接拆卸；验收合格之日起30日内（按法定期限计算）未办理使用登记的标为"
        "“使用登记超期”；超过评估年限的须经安全评估。",
    )
)

# --- inspections and enforcement ---------------------------------------------------------------
registry.register(
    Ledger(
        model=SiteInspection,
        line=LINE,
        inspects=True,
        list_display=["code", "inspected_on", "kind", "project", "enterprise", "person_times"],
        filters=["kind", "inspected_on", "project"],
        search=["code", "inspectors", "findings", "project__name"],
        natural_key=["code"],
        date_field="inspected_on",
        ordering=["-inspected_on", "-id"],
        demo=demo.inspections,
        demo_order=DEMO_ORDER[demo.inspections],
        help="检查发现的隐患在“隐患闭环”中登记、下达整改通知、整改和验收销号。",
    )
)
registry.register(
    Ledger(
        model=Suspension,
        line=LINE,
        list_display=["number", "enterprise", "project", "ordered_on", "lifted_on"],
        filters=["ordered_on", "lifted_on"],
        search=["number", "reason", "enterprise__name"],
        natural_key=["number"],
        date_field="ordered_on",
        ordering=["-ordered_on"],
        demo=demo.inspections,
        demo_order=DEMO_ORDER[demo.inspections],
    )
)
registry.register(
    Ledger(
        model=ViolationLead,
        line=LINE,
        list_display=["number", "kind", "project", "found_on", "transferred_to", "transferred_on"],
        filters=["kind", "found_on", "transferred_on"],
        search=["number", "facts", "transferred_to"],
        natural_key=["number"],
        date_field="found_on",
        ordering=["-found_on"],
        demo=demo.inspections,
        demo_order=DEMO_ORDER[demo.inspections],
    )
)

# --- campaigns ------------------------------------------------------------------------------
registry.register(
    Ledger(
        model=Campaign,
        line=LINE,
        list_display=["code", "name", "kind", "started_on", "ended_on", "org_unit"],
        filters=["kind", "started_on"],
        search=["code", "name", "description"],
        natural_key=["code"],
        date_field="started_on",
        ordering=["-started_on"],
        demo=demo.campaigns,
        demo_order=DEMO_ORDER[demo.campaigns],
        report_tags=True,
        help="汛期、安全生产月、疫情防控等专项行动：在“专项行动指标”中声明要统计的指标，"
        "在“专项行动日志”中逐日填报；给行动设置报告标记后，报告模板即可按“标记.指标代码”引用"
        "这些指标，无需编程。",
    )
)
registry.register(
    Ledger(
        model=CampaignMeasure,
        line=LINE,
        list_display=["campaign", "code", "name", "unit", "aggregation"],
        filters=["campaign", "aggregation"],
        search=["code", "name"],
        natural_key=["campaign", "code"],
        ordering=["campaign", "id"],
        parent="campaign",
        demo=demo.campaigns,
        demo_order=DEMO_ORDER[demo.campaigns],
    )
)
registry.register(
    Ledger(
        model=CampaignLog,
        line=LINE,
        list_display=["campaign", "logged_on", "measure", "value", "org_unit"],
        filters=["campaign", "measure_code", "logged_on"],
        search=["measure_code", "note"],
        natural_key=["campaign", "measure_code", "logged_on", "org_unit"],
        date_field="logged_on",
        ordering=["-logged_on", "campaign", "measure_code"],
        parent="campaign",
        demo=demo.campaigns,
        demo_order=DEMO_ORDER[demo.campaigns],
        help="每行一个指标一天的数值；“指标代码”填该专项行动已声明指标的代码或名称。",
    )
)

# --- smart sites ----------------------------------------------------------------------------
registry.register(
    Ledger(
        model=SmartSitePilot,
        line=LINE,
        list_display=["code", "name", "launched_on", "min_floor_area"],
        filters=["launched_on"],
        search=["code", "name", "document"],
        natural_key=["code"],
        date_field="launched_on",
        ordering=["-launched_on"],
        demo=demo.smart_sites,
        demo_order=DEMO_ORDER[demo.smart_sites],
    )
)
registry.register(
    Ledger(
        model=SiteDevice,
        line=LINE,
        list_display=["code", "project", "kind", "mn", "factors", "installed_on", "removed_on"],
        filters=["kind", "pilot", "installed_on", "project"],
        search=["code", "mn", "vendor", "project__name"],
        natural_key=["code"],
        date_field="installed_on",
        ordering=["project", "code"],
        parent="project",
        demo=demo.smart_sites,
        demo_order=DEMO_ORDER[demo.smart_sites],
        help="扬尘、噪声、气象监测设备填写 MN 编码和监测因子（HJ 212 因子代码），"
        "以及设备实际上报的浓度单位。",
    )
)

# --- fire acceptance, prefab, tenders ---------------------------------------------------------
registry.register(
    Ledger(
        model=FireAcceptance,
        line=LINE,
        list_display=["number", "kind", "category", "project_name", "area", "decided_on", "result"],
        filters=["kind", "category", "result", "decided_on"],
        search=["number", "project_name"],
        natural_key=["number"],
        date_field="decided_on",
        ordering=["-applied_on", "number"],
        demo=demo.fire,
        demo_order=DEMO_ORDER[demo.fire],
    )
)
registry.register(
    Ledger(
        model=PrefabApplication,
        line=LINE,
        list_display=["enterprise", "programme", "applied_on", "result", "decided_on"],
        filters=["result", "applied_on"],
        search=["enterprise__name", "programme", "products"],
        natural_key=["enterprise", "programme", "applied_on"],
        date_field="applied_on",
        ordering=["-applied_on"],
        parent="enterprise",
        demo=demo.fire,
        demo_order=DEMO_ORDER[demo.fire],
    )
)
registry.register(
    Ledger(
        model=Tender,
        line=LINE,
        list_display=["code", "name", "category", "method", "cost", "awarded_on", "winner"],
        filters=["category", "method", "awarded_on"],
        search=["code", "name"],
        natural_key=["code"],
        date_field="awarded_on",
        ordering=["-announced_on", "code"],
        demo=demo.tenders,
        demo_order=DEMO_ORDER[demo.tenders],
        help="开标不得早于招标文件发出后20日；中标价不得高于招标控制价。",
    )
)


# Enterprises that build need a 安全生产许可证 (安全生产许可证条例 第二条).
BUILDERS = (EnterpriseKind.GENERAL, EnterpriseKind.SPECIALTY, EnterpriseKind.LABOUR)


@registry.detail_panel
def licence_expiry(ledger: Ledger, obj: models.Model, user: User) -> dict[str, Any] | None:
    """On an enterprise's or a safety licence's page: is there a valid 安全生产许可证 today?"""
    today = dt.date.today()
    if isinstance(obj, Enterprise):
        enterprise = obj
    elif isinstance(obj, Licence) and obj.kind == LicenceKind.SAFETY:
        enterprise = obj.enterprise
    else:
        return None
    licences = list(enterprise.licences.filter(kind=LicenceKind.SAFETY).order_by("-expires_on"))
    if not licences and enterprise.kind not in BUILDERS:
        return None
    valid = enterprise.safety_licence_on(today)
    state = "valid" if valid else ("expired" if licences else "missing")
    return {
        "template": "construction/_licence_panel.html",
        "today": today,
        "latest": licences[0] if licences else None,
        "valid": valid,
        "state": state,
    }
