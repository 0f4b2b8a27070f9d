"""Ledger declarations for （四）住房保障."""

from zhujian.core.registry import Ledger, registry
from zhujian.domains.housing import demo
from zhujian.domains.housing.models import (
    AffordableTransaction,
    AllocationRound,
    DemolitionArea,
    DemolitionHousehold,
    EligibilityReview,
    OldCommunity,
    OwnersCommittee,
    PropertyCompany,
    RenovationItem,
    RentalSubsidy,
    RentalUnit,
    RentBill,
    RentPayment,
    ResidentialCommunity,
    RoundHousehold,
    RoundUnit,
    ShantytownProject,
    Tenancy,
)

# --- 拆迁与安置 ------------------------------------------------------------------------
registry.register(
    Ledger(
        model=DemolitionArea,
        township_codes=["code"],
        line="demolition",
        list_display=["code", "name", "org_unit", "started_on", "purpose"],
        filters=["started_on"],
        search=["code", "name"],
        natural_key=["code"],
        date_field="started_on",
        ordering=["code"],
        demo=demo.demolition,
        report_tags=True,
        help="拆迁片区（项目）。工作总结点名提到的片区（如“龙沂庄二期”）请在记录页设置报告标记。",
    )
)
registry.register(
    Ledger(
        model=DemolitionHousehold,
        township_codes=["household_code"],
        line="demolition",
        list_display=[
            "household_code",
            "head_name",
            "area",
            "homestead_kind",
            "tail_listed_on",
            "agreement_signed_on",
            "demolished_on",
        ],
        filters=[
            "area",
            "homestead_kind",
            "tail_listed_on",
            "agreement_signed_on",
            "demolished_on",
        ],
        search=["household_code", "head_name", "address"],
        natural_key=["household_code"],
        date_field="agreement_signed_on",
        parent="area",
        demo=demo.demolition,
        help="每户一行。列入扫尾攻坚的剩余户填写“列入尾子户日期”；拆除日期不得早于签订协议日期。",
    )
)
registry.register(
    Ledger(
        model=AllocationRound,
        # County-wide: the public verification page looks a round up by its code.
        assigned_codes={"code": "FP"},
        line="demolition",
        list_display=["code", "name", "project", "scheduled_on", "status", "drawn_on"],
        filters=["status", "scheduled_on", "drawn_on"],
        search=["code", "name"],
        natural_key=["code"],
        date_field="scheduled_on",
        ordering=["-scheduled_on", "-id"],
        demo=demo.allocation,
        demo_order=120,
        help=(
            "回迁安置房分房轮次：编制家庭名单和房源，声明公开随机数（彩票名称、期号、开奖日期）→ "
            "公示并冻结名单（公布SHA-256摘要）→ 开奖日前现场录入公开输入 → 开奖后录入开奖号码 → "
            "公示期满后摇号 → 公告。已公示的名单、已完成的摇号不能修改；在记录页的“摇号”栏办理。"
        ),
    )
)
registry.register(
    Ledger(
        model=RoundHousehold,
        line="demolition",
        list_display=["round", "seq", "household_code", "head_name", "group"],
        filters=["round", "group"],
        search=["household_code", "head_name"],
        natural_key=["round", "seq"],
        ordering=["round", "seq"],
        parent="round",
        demo=demo.allocation,
        demo_order=120,
    )
)
registry.register(
    Ledger(
        model=RoundUnit,
        line="demolition",
        list_display=["round", "seq", "code", "group", "layout", "floor_area"],
        filters=["round", "group"],
        search=["code"],
        natural_key=["round", "seq"],
        ordering=["round", "seq"],
        parent="round",
        demo=demo.allocation,
        demo_order=120,
    )
)

# --- 老旧小区与棚户区改造 ---------------------------------------------------------------
registry.register(
    Ledger(
        model=OldCommunity,
        line="renovation",
        list_display=["code", "name", "org_unit", "year", "buildings", "households", "tendered_on"],
        filters=["year", "declared_on", "tendered_on", "started_on", "accepted_on"],
        search=["code", "name"],
        natural_key=["code"],
        date_field="declared_on",
        demo=demo.old_communities,
        help="申报 → 招投标 → 施工 → 完工验收，按顺序填写各阶段日期；建成年份须在2000年底前。",
    )
)
registry.register(
    Ledger(
        model=RenovationItem,
        line="renovation",
        list_display=["community", "item_class", "content", "investment"],
        filters=["item_class", "community"],
        search=["content"],
        natural_key=["community", "item_class", "content"],
        parent="community",
        demo=demo.old_communities,
    )
)
registry.register(
    Ledger(
        model=ShantytownProject,
        line="renovation",
        list_display=[
            "code",
            "name",
            "org_unit",
            "foundation_on",
            "topped_out_on",
            "accepted_on",
            "stopped_on",
        ],
        filters=["stop_reason", "foundation_on", "accepted_on", "stopped_on"],
        search=["code", "name"],
        natural_key=["code"],
        date_field="foundation_on",
        demo=demo.shantytown,
        demo_order=110,
        report_tags=True,
        help=(
            "立项 → 基础施工 → 主体施工 → 主体基本建成 → 办理验收手续 → 综合验收完成，按顺序填写日期；"
            "停工须填写停工日期和原因，复工后填写复工日期。"
        ),
    )
)

# --- 公租房与住房保障 ---------------------------------------------------------------------
registry.register(
    Ledger(
        model=RentalUnit,
        line="rental",
        list_display=["code", "kind", "estate", "building", "room", "floor_area", "org_unit"],
        filters=["kind", "estate"],
        search=["code", "estate"],
        natural_key=["code"],
        ordering=["code"],
        demo=demo.rental,
    )
)
registry.register(
    Ledger(
        model=Tenancy,
        line="rental",
        list_display=[
            "contract_number",
            "tenant_name",
            "unit",
            "lease_start",
            "lease_end",
            "ended_on",
        ],
        filters=["lease_start", "lease_end", "ended_on"],
        search=["contract_number", "tenant_name"],
        natural_key=["contract_number"],
        date_field="lease_start",
        parent="unit",
        demo=demo.rental,
        help="同一套房源的租期不能重叠；合同期限最长5年（可在设置中调整）。",
    )
)
registry.register(
    Ledger(
        model=RentBill,
        line="rental",
        list_display=["bill_number", "tenancy", "year", "amount_due", "due_on"],
        filters=["year", "due_on"],
        search=["bill_number", "tenancy__tenant_name"],
        natural_key=["bill_number"],
        date_field="due_on",
        parent="tenancy",
        demo=demo.rental,
    )
)
registry.register(
    Ledger(
        model=RentPayment,
        line="rental",
        list_display=["receipt_number", "bill", "paid_on", "amount", "arrears"],
        filters=["paid_on", "arrears"],
        search=["receipt_number", "bill__bill_number"],
        natural_key=["receipt_number"],
        date_field="paid_on",
        parent="bill",
        demo=demo.rental,
        help="缴纳日期晚于账单缴纳期限的，自动记为“补缴欠租”。",
    )
)
registry.register(
    Ledger(
        model=EligibilityReview,
        line="rental",
        list_display=["tenancy", "year", "reviewed_on", "result"],
        filters=["year", "result", "reviewed_on"],
        search=["tenancy__tenant_name", "tenancy__contract_number"],
        natural_key=["tenancy", "year"],
        date_field="reviewed_on",
        parent="tenancy",
        demo=demo.rental,
        help="每户承租人每年复查一次；复查日期不能早于租赁起始日期。",
    )
)
registry.register(
    Ledger(
        model=RentalSubsidy,
        line="rental",
        list_display=["household_code", "head_name", "org_unit", "month", "paid_on", "amount"],
        filters=["month", "paid_on"],
        search=["household_code", "head_name"],
        natural_key=["household_code", "month"],
        date_field="paid_on",
        demo=demo.subsidies,
    )
)
registry.register(
    Ledger(
        model=AffordableTransaction,
        line="rental",
        list_display=["code", "kind", "address", "org_unit", "handled_on", "land_revenue"],
        filters=["kind", "handled_on"],
        search=["code", "address"],
        natural_key=["code"],
        date_field="handled_on",
        demo=demo.subsidies,
    )
)

# --- 物业管理 ---------------------------------------------------------------------------
registry.register(
    Ledger(
        model=PropertyCompany,
        township_codes=["credit_code"],
        line="property",
        list_display=["name", "credit_code", "org_unit", "party_org_on"],
        filters=["party_org_on"],
        search=["name", "credit_code"],
        natural_key=["credit_code"],
        ordering=["name"],
        demo=demo.property_management,
    )
)
registry.register(
    Ledger(
        model=ResidentialCommunity,
        township_codes=["code"],
        line="property",
        list_display=[
            "code",
            "name",
            "org_unit",
            "company",
            "unmanaged_on",
            "handed_over_on",
            "security_installed_on",
        ],
        filters=[
            "unmanaged_on",
            "handed_over_on",
            "water_transferred_on",
            "power_transferred_on",
            "security_installed_on",
            "ebike_installed_on",
        ],
        search=["code", "name", "address"],
        natural_key=["code"],
        ordering=["code"],
        demo=demo.property_management,
        help="无人管理小区填写“列为无人管理小区日期”，交由物业服务企业后填写“完成交接日期”。",
    )
)
registry.register(
    Ledger(
        model=OwnersCommittee,
        line="property",
        list_display=["community", "established_on", "director", "members", "party_org_on"],
        filters=["established_on", "party_org_on"],
        search=["community__name", "director"],
        natural_key=["community", "established_on"],
        date_field="established_on",
        parent="community",
        demo=demo.property_management,
    )
)
