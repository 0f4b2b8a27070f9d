"""瓶装液化气安全监管: ledger declarations (line 燃气).

LPG companies are the gas line's 燃气企业 records of kind 液化气站 (``urban``).
"""

from zhujian.core.personal import PHONE, PersonalData
from zhujian.core.registry import Ledger, registry
from zhujian.domains.lpg import demo
from zhujian.domains.lpg.models import (
    Customer,
    Cylinder,
    CylinderInspection,
    ScanDevice,
    ScanEvent,
    Station,
)

registry.register(
    Ledger(
        model=Station,
        line="gas",
        list_display=["code", "name", "company", "org_unit", "licence_number", "active"],
        filters=["company", "active"],
        search=["code", "name", "address", "licence_number"],
        natural_key=["code"],
        ordering=["code"],
        demo=demo.build,
        demo_order=200,
        help="持证液化气充装站。所属企业为“燃气企业”台账中经营类别为“液化气站”的企业。",
    )
)
registry.register(
    Ledger(
        model=Cylinder,
        line="gas",
        list_display=[
            "code",
            "company",
            "spec",
            "manufactured_on",
            "status",
            "next_inspection_due",
            "scrap_due",
        ],
        filters=["company", "spec", "status", "next_inspection_due", "scrap_due"],
        search=["code", "serial_number", "maker"],
        natural_key=["code"],
        date_field="registered_on",
        ordering=["code"],
        demo=demo.build,
        demo_order=200,
        help=(
            "一瓶一码：每只钢瓶一个编码，印在二维码标签上。设计使用年限8年，"
            "经定期检验合格的最长使用12年，每4年定期检验一次；下次检验日期和报废期限"
            "由制造日期和最近一次检验合格日期自动计算。"
        ),
    )
)
registry.register(
    Ledger(
        model=CylinderInspection,
        line="gas",
        list_display=["cylinder", "inspected_on", "body", "result", "next_due"],
        filters=["result", "inspected_on", "body"],
        search=["cylinder__code", "report_number", "body"],
        natural_key=["cylinder", "inspected_on"],
        date_field="inspected_on",
        ordering=["-inspected_on", "-id"],
        parent="cylinder",
        demo=demo.build,
        demo_order=200,
        help="检验机构的定期检验记录（七项检验）。检验合格更新钢瓶的下次检验日期，判废则钢瓶报废。",
    )
)
registry.register(
    Ledger(
        model=Customer,
        line="gas",
        list_display=["code", "name", "kind", "org_unit", "verified", "has_alarm", "active"],
        filters=["kind", "verified", "has_alarm", "active"],
        search=["code", "name", "address"],
        # A resident's phone is personal data: masked but for the gas line's editors of
        # the user's unit, never searched (a search would confirm a number is registered).
        personal=PersonalData({"phone": PHONE}),
        natural_key=["code"],
        date_field="registered_on",
        ordering=["code"],
        demo=demo.build,
        demo_order=200,
        help="实名制用户：居民和经营单位。身份证号照证件填写完整号码，系统只登记脱敏后的号码。未实名核验的用户不能配送。",
    )
)
registry.register(
    Ledger(
        model=ScanDevice,
        line="gas",
        list_display=["code", "name", "station", "kind", "active", "last_seen_at"],
        filters=["station", "kind", "active"],
        search=["code", "name"],
        natural_key=["code"],
        ordering=["code"],
        hidden=["token_hash"],
        demo=demo.build,
        demo_order=200,
        help="站点终端和手持扫码枪，每台设备绑定一个站点。令牌在设备页面签发，只显示一次。",
    )
)
registry.register(
    Ledger(
        model=ScanEvent,
        line="gas",
        list_display=[
            "scanned_at",
            "kind",
            "code",
            "station",
            "status",
            "reason",
            "customer_code",
        ],
        filters=["kind", "status", "reason", "station", "scanned_on"],
        search=["code", "customer_code", "client_event_id", "operator", "deliverer"],
        natural_key=["device", "client_event_id"],
        date_field="scanned_on",
        ordering=["-scanned_on", "-id"],  # indexed: a county's table has millions
        demo=demo.build,
        demo_order=200,
        help=(
            "设备上传的扫码记录（充装、配送、回收、送检、报废），含被拒绝的扫码及原因。"
            "纸质记录可用“人工补录”类设备补录，规则相同。"
        ),
    )
)

from zhujian.domains.lpg import panels  # noqa: E402, F401  (record-page sections)
