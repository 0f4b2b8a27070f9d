"""（八）信访: the petition case ledger."""

from zhujian.core.personal import ID_NUMBER, PHONE, PersonalData
from zhujian.core.registry import Ledger, registry
from zhujian.domains.petitions import demo
from zhujian.domains.petitions.models import DEADLINES, PetitionCase

registry.register(
    Ledger(
        model=PetitionCase,
        township_codes=["code"],
        line="petition",
        list_display=[
            "code",
            "received_on",
            "channel",
            "kind",
            "subject",
            "org_unit",
            "status",
            "reply_due_on",
        ],
        filters=[
            "channel",
            "kind",
            "routing",
            "status",
            "answered_late",
            "received_on",
            "reply_due_on",
        ],
        search=["code", "subject", "petitioner", "work_order_no", "platform"],
        natural_key=["code"],
        date_field="received_on",
        ordering=["-received_on", "-id"],
        demo=demo.cases,
        personal=PersonalData({"phone": PHONE, "id_number": ID_NUMBER}),
        deadlines=DEADLINES,
        help=(
            "按《信访工作条例》登记、分流、受理、办理、答复、复查、复核。收到后15日内书面告知"
            "（上级转送、交办的事项不属本机关职责的，5个工作日内提出异议并交还），受理后60日内办结，"
            "延期只能一次且不超过30日，须在答复前经负责人批准并写明理由；信访人收到书面答复后30日内"
            "可申请复查，收到复查意见后30日内可申请复核，期限自送达日期起算。已登记的日期影响法定期限，"
            "更改须填写更正理由。联系电话和身份证号只对承办人显示完整号码，"
            "每次查看均留痕。"
        ),
    )
)
