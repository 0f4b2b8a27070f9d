"""Demo wage-arrears cases, 2021 and 2022, most about the demo's construction projects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zhujian.demo.county import DemoContext

D = Decimal
DEMO_END = dt.date(2022, 12, 31)
HANDLING = [
    "约谈施工总承包单位，督促从农民工工资专用账户足额支付",
    "协调建设单位拨付工程款，由总包单位代发",
    "动用工资保证金支付拖欠工资",
    "经核实为劳务合同纠纷，引导通过劳动仲裁解决并已支付",
]


def cases(ctx: DemoContext) -> None:
    from zhujian.domains.construction.models import ConstructionProject
    from zhujian.domains.wages.models import WageCase

    rng = ctx.rng
    projects = list(
        ConstructionProject.objects.filter(started_on__isnull=False)
        .select_related("contractor")
        .order_by("pk")
    )
    sources = ["hotline"] * 9 + ["shoufa"] * 5 + ["petition"] * 3 + ["national"] * 3
    rows = []
    n = 0
    for year in ctx.years:
        for _ in range(rng.randint(45, 80) if year == 2021 else rng.randint(35, 70)):
            n += 1
            received = ctx.date(year)
            source = rng.choice(sources)
            project = rng.choice(projects) if rng.random() < 0.85 else None
            workers = rng.choice([1, 1, 2, 3, 5, 8, 12, 20, 35])
            claimed = D(rng.randint(3000, 16000) * workers)
            resolved = received + dt.timedelta(days=rng.randint(3, 45))
            resolved = resolved if resolved <= DEMO_END and rng.random() < 0.95 else None
            rows.append(
                WageCase(
                    org_unit_id=project.org_unit_id if project else rng.choice(ctx.townships).pk,
                    number=f"QX-{year}-{n:04d}",
                    source=source,
                    hotline="12345" if source == "hotline" else "",
                    received_on=received,
                    project=project,
                    enterprise=project.contractor if project else None,
                    complainant=ctx.person(),
                    workers=workers,
                    amount_claimed=claimed,
                    amount_recovered=(claimed * D(rng.randint(80, 100)) / 100).quantize(D("0.01"))
                    if resolved
                    else D(0),
                    resolved_on=resolved,
                    handling=rng.choice(HANDLING) if resolved else "",
                )
            )
    ctx.save(WageCase, rows)
