"""农民工工资: ledger declarations (arrears cases and the real-name wage supervision)."""

from zhujian.core.personal import BANK_CARD, ID_NUMBER, PHONE, PersonalData
from zhujian.core.registry import Ledger, registry
from zhujian.domains.wages import demo
from zhujian.domains.wages.models import (
    Attendance,
    PayLine,
    PaySheet,
    ProjectWageSetup,
    WageCase,
    WagePayment,
    Worker,
)

LINE = "wages"

registry.register(
    Ledger(
        model=WageCase,
        line=LINE,
        list_display=[
            "number",
            "source",
            "received_on",
            "project",
            "workers",
            "amount_recovered",
            "resolved_on",
        ],
        filters=["source", "received_on", "resolved_on"],
        search=["number", "complainant", "handling", "project__name", "enterprise__name"],
        natural_key=["number"],
        date_field="received_on",
        ordering=["-received_on", "number"],
        demo=demo.cases,
        demo_order=110,  # after the construction projects the cases point to
        help="12345热线、首发平台、信访、全国根治欠薪线索反映平台转来的欠薪案件；"
        "来源为热线时填写热线号码。",
    )
)

registry.register(
    Ledger(
        model=ProjectWageSetup,
        line=LINE,
        list_display=[
            "project",
            "compliant",
            "gaps",
            "account_bank",
            "guarantee_kind",
            "officer",
            "closed_on",
        ],
        filters=["compliant", "guarantee_kind", "notice_board", "closed_on"],
        search=["project__name", "project__code", "officer", "account_bank"],
        natural_key=["project"],
        date_field="account_opened_on",
        ordering=["compliant", "project"],
        personal=PersonalData({"officer_phone": PHONE}),
        demo=demo.supervision,
        demo_order=111,
        help="每个在建项目一条：农民工工资专用账户、工资保证金或银行保函、劳资专管员、"
        "维权信息告示牌；“合规缺项”自动列出尚缺的事项。注销专用账户须项目竣工、无欠薪并公示30日。",
    )
)

registry.register(
    Ledger(
        model=Worker,
        line=LINE,
        list_display=[
            "code",
            "name",
            "id_number",
            "project",
            "employer",
            "trade",
            "contract_signed_on",
            "realname_on",
            "entered_on",
            "left_on",
        ],
        filters=["trade", "entered_on", "left_on", "contract_signed_on", "realname_on"],
        search=["code", "name", "project__name", "employer__name"],
        natural_key=["code"],
        date_field="entered_on",
        ordering=["project", "code"],
        parent="project",
        personal=PersonalData({"id_number": ID_NUMBER, "phone": PHONE, "bank_card": BANK_CARD}),
        demo=demo.supervision,
        demo_order=111,
        help="施工现场农民工实名制登记：身份证号按国家标准校验；未签订劳动合同或未完成实名登记的"
        "不能列入工资表。身份证号、手机号码、工资卡号脱敏显示。",
    )
)

registry.register(
    Ledger(
        model=Attendance,
        line=LINE,
        list_display=["worker", "day", "hours", "project"],
        filters=["day"],
        search=["worker__code", "worker__name"],
        natural_key=["worker", "day"],
        excel_fields=["worker", "day", "hours"],
        date_field="day",
        ordering=["-day", "worker"],
        parent="worker",
        demo=demo.supervision,
        demo_order=111,
        help="门禁考勤设备导出的每人每日考勤，可导入 Excel（.xlsx）或 CSV 文件；"
        "列为人员编号、考勤日期、工时。本台账记录量大，不逐条保留修改记录。",
    )
)

registry.register(
    Ledger(
        model=PaySheet,
        line=LINE,
        list_display=["number", "project", "employer", "month", "submitted_on", "paid_on"],
        filters=["month", "paid_on"],
        search=["number", "project__name", "employer__name"],
        natural_key=["number"],
        date_field="month",
        ordering=["-month", "number"],
        parent="project",
        demo=demo.supervision,
        demo_order=111,
        help="分包单位按月编制、工人本人签字的工资支付表；有未签字（且无银行回单）明细的不能支付。",
    )
)

registry.register(
    Ledger(
        model=PayLine,
        line=LINE,
        list_display=["sheet", "worker", "days", "gross", "deductions", "net", "signed"],
        filters=["signed"],
        search=["sheet__number", "worker__code", "worker__name"],
        natural_key=["sheet", "worker"],
        excel_fields=["sheet", "worker", "days", "gross", "deductions", "signed", "bank_slip"],
        ordering=["sheet", "worker"],
        parent="sheet",
        demo=demo.supervision,
        demo_order=111,
        help="工资表每名工人一行：出勤天数、应发、扣款、实发（自动计算）、本人签字或银行回单。",
    )
)

registry.register(
    Ledger(
        model=WagePayment,
        line=LINE,
        list_display=["number", "sheet", "worker", "amount", "paid_on", "payee_card"],
        filters=["paid_on", "month"],
        search=["number", "sheet__number", "worker__code", "worker__name"],
        natural_key=["number"],
        excel_fields=["number", "sheet", "worker", "payee_card", "amount", "paid_on"],
        date_field="paid_on",
        ordering=["-paid_on", "number"],
        parent="sheet",
        personal=PersonalData({"payee_card": BANK_CARD}),
        demo=demo.supervision,
        demo_order=111,
        help="从农民工工资专用账户代发工资的银行流水（导入银行文件）：收款账号须为工人本人工资卡，"
        "工资表须已全部签字。",
    )
)
from zhujian.domains.wages import panels  # noqa: E402, F401  (dashboard panel)
