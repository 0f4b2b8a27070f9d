"""（七）房地产: ledger declarations."""

from zhujian.core.personal import ID_NUMBER, PHONE, PersonalData
from zhujian.core.registry import Ledger, registry
from zhujian.domains.realestate import demo
from zhujian.domains.realestate.models import (
    FILING_DEADLINES,
    DevelopmentProject,
    EscrowAccount,
    EscrowDeposit,
    EscrowRelease,
    PresalePermit,
    SalesContract,
    SalesEvent,
)

registry.register(
    Ledger(
        model=DevelopmentProject,
        line="realestate",
        list_display=["code", "name", "developer", "org_unit", "started_on"],
        filters=["started_on"],
        search=["code", "name", "developer", "address"],
        natural_key=["code"],
        date_field="started_on",
        ordering=["code"],
        demo=demo.market,
    )
)
registry.register(
    Ledger(
        model=PresalePermit,
        line="realestate",
        list_display=[
            "permit_no",
            "project",
            "buildings",
            "applied_on",
            "handler",
            "issued_on",
            "total_area",
            "units",
            "decided_late",
        ],
        filters=["project", "applied_on", "issued_on", "decided_late"],
        search=["permit_no", "buildings", "project__name", "handler"],
        # Imports carry issued permits (the permit system's export): an application in
        # progress, without its number yet, is handled on its step screen.
        natural_key=["permit_no"],
        date_field="issued_on",
        ordering=["-issued_on", "-id"],
        parent="project",
        help=(
            "申请 → 受理（指定承办人）→ 审核 → 核发，逐步办理：登记申请的账号不能受理，审核的账号不能核发。"
            "审核通过、核发预售许可须同时具备：缴清土地出让金并取得土地使用权证书、建设工程规划许可证、施工许可证，"
            "投入开发建设的资金达到工程建设总投资的25%以上，并确定竣工交付日期（城市房地产开发经营管理条例"
            "第二十二条）。自申请之日起超过10日发证的标记为“超过法定办理时限”；按许可证号导入的已核发许可"
            "（未记录受理、审核环节的）视为已办结；办理中的申请在办理页面逐步办理。"
        ),
    )
)
registry.register(
    Ledger(
        model=SalesContract,
        line="realestate",
        list_display=[
            "contract_no",
            "project",
            "building",
            "room",
            "use",
            "area",
            "price",
            "signed_on",
            "state",
            "filed_late",
        ],
        filters=["project", "use", "state", "filed_late", "signed_on", "filed_on"],
        search=["contract_no", "filing_no", "room", "buyer"],
        natural_key=["contract_no"],
        # The housing-transaction system's export has no unit code: a contract files under
        # its project's unit.
        excel_fields=[
            "contract_no",
            "filing_no",
            "project",
            "building",
            "room",
            "use",
            "area",
            "price",
            "buyer",
            "buyer_phone",
            "buyer_id_number",
            "signed_on",
            "filed_on",
            "changed_on",
            "change_note",
            "cancelled_on",
            "cancel_reason",
        ],
        date_field="signed_on",
        ordering=["-signed_on", "-id"],
        parent="project",
        personal=PersonalData({"buyer_phone": PHONE, "buyer_id_number": ID_NUMBER}),
        deadlines=FILING_DEADLINES,
        help=(
            "由网签备案系统按月导出后整表导入（以合同编号识别，重复导入不会重复记录）。合同状态由日期确定："
            "草签（无网签日期）→ 网签 → 备案 → 变更/注销。网签后30日内应备案，逾期备案的标记为“逾期备案”；"
            "注销的合同不计入销售。"
        ),
    )
)
registry.register(
    Ledger(
        model=SalesEvent,
        line="realestate",
        list_display=["name", "starts_on", "ends_on", "organiser", "org_unit"],
        filters=["starts_on"],
        search=["name", "organiser"],
        natural_key=["name", "starts_on"],
        date_field="starts_on",
        ordering=["-starts_on"],
        report_tags=True,
        help="工作总结中“*月*日至*日”的销售情况取自带有报告标记“房展会”的本期活动。",
    )
)
registry.register(
    Ledger(
        model=EscrowAccount,
        line="realestate",
        list_display=[
            "account_no",
            "project",
            "bank",
            "opened_on",
            "structure_on",
            "completion_on",
        ],
        filters=["bank", "opened_on"],
        search=["account_no", "project__name", "bank"],
        natural_key=["account_no"],
        date_field="opened_on",
        ordering=["account_no"],
        parent="project",
        help=(
            "监管资金按工程节点拨付，累计拨付不得超过当前节点的上限（默认：主体结构验收前50%，"
            "主体结构验收后95%，竣工验收后99%，首次登记后100%；可在设置中调整）。"
        ),
    )
)
registry.register(
    Ledger(
        model=EscrowDeposit,
        line="realestate",
        list_display=["voucher_no", "account", "deposited_on", "amount", "payer"],
        filters=["account", "deposited_on"],
        search=["voucher_no", "payer", "contract_no"],
        natural_key=["voucher_no"],
        date_field="deposited_on",
        ordering=["-deposited_on", "-id"],
        parent="account",
    )
)
registry.register(
    Ledger(
        model=EscrowRelease,
        line="realestate",
        list_display=["voucher_no", "account", "released_on", "amount", "purpose", "payee"],
        filters=["account", "released_on"],
        search=["voucher_no", "purpose", "payee"],
        natural_key=["voucher_no"],
        date_field="released_on",
        ordering=["-released_on", "-id"],
        parent="account",
        help="超过当前工程节点累计拨付上限的拨付申请不予办理。",
    )
)
from zhujian.domains.realestate import panels  # noqa: E402, F401  (escrow position on the record page)
