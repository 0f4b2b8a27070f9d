"""农民工工资: ledger declarations."""

from zhujian.core.registry import Ledger, registry
from zhujian.domains.wages import demo
from zhujian.domains.wages.models import WageCase

registry.register(
    Ledger(
        model=WageCase,
        line="wages",
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
