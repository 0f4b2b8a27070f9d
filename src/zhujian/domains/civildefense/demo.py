"""Demo records for （五）人防, 2021 and 2022.

The 基本指挥所 lies in 城关街道 (its patrols file there); the command platform and the
vehicle command system belong to the 人防办. Works and 结建 approvals spread over the
county town's streets and a few towns.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from zhujian.hazards.demo import hazards_for

if TYPE_CHECKING:
    from zhujian.core.models import OrgUnit
    from zhujian.demo.county import DemoContext

D = Decimal
DEMO_END = dt.date(2022, 12, 31)

PATROL_PROBLEMS = [
    "通风系统滤毒器超期未更换",
    "防护密闭门门扇铰页锈蚀",
    "应急照明灯具损坏",
    "战时水箱水位不足",
    "配电室消防器材过期",
    "值班记录填写不完整",
]
VISIT_PROBLEMS = [
    "单建人防工程安全生产责任制未逐级签订",
    "应急预案未结合工程实际修订",
    "工程出入口堆放杂物，影响疏散",
    "平时使用单位消防设施维护保养记录缺失",
    "防护设备未按规定定期维护",
    "安全生产隐患排查台账不规范",
    "有限空间作业审批记录缺失",
    "临时用电线路敷设不规范",
    "工程内电动车违规停放充电",
    "防汛物资储备不足",
]
WORK_PROBLEMS = [
    "防护密闭门框墙钢筋间距不符合设计要求",
    "穿墙管未按规定设置密闭肋",
    "临空墙厚度不足",
    "防爆波电缆井位置与图纸不符",
    "人防顶板混凝土试块留置不足",
]
DEVELOPERS = [
    "示例县城投置业有限公司",
    "沂州房地产开发有限公司",
    "恒信置业有限公司",
    "华府房地产开发有限公司",
    "示例县教育和体育局",
    "示例县人民医院",
    "金城实业有限公司",
    "鲁南商贸城开发有限公司",
]
PROJECT_NAMES = [
    "锦绣华府",
    "翡翠名城",
    "学府佳苑",
    "滨河御景",
    "东城新区安置小区",
    "阳光花园",
    "书香苑",
    "泰和嘉园",
    "县人民医院门诊综合楼",
    "第十五小学教学楼",
    "商贸城综合体",
    "金桥名邸",
]


def _where(ctx: DemoContext) -> list[OrgUnit]:
    """Where works and buildings go: mostly the county town's streets."""
    streets = [t for t in ctx.townships if t.kind == "street"]
    towns = [t for t in ctx.townships if t.kind != "street"]
    return streets * 3 + towns[:4]


def patrols(ctx: DemoContext) -> None:
    from zhujian.domains.civildefense.models import Patrol

    rng = ctx.rng
    post_unit = ctx.townships[0]  # the 基本指挥所 is in 城关街道
    office = ctx.departments["renfang"]
    rows = []
    monday = dt.date(2021, 1, 4)
    while monday <= DEMO_END:
        safety_days = sorted(rng.sample(range(5), 2 if rng.random() < 0.2 else 1))
        routine_days = sorted(rng.sample(range(5), 3 if rng.random() < 0.25 else 2))
        for offset in safety_days:
            day = monday + dt.timedelta(days=offset)
            if day <= DEMO_END:
                rows.append(
                    Patrol(
                        org_unit=post_unit,
                        facility="command_post",
                        kind="safety",
                        patrolled_on=day,
                        inspectors=f"{ctx.person()}、{ctx.person()}",
                        items="供配电、通风、给排水、防护密闭设备及消防设施",
                        result="运行正常",
                    )
                )
        for offset in routine_days:
            day = monday + dt.timedelta(days=offset)
            if day <= DEMO_END:
                rows.append(
                    Patrol(
                        org_unit=office,
                        facility="platform",
                        kind="routine",
                        patrolled_on=day,
                        inspectors=ctx.person(),
                        items="指挥平台音视频、网络链路、电源",
                        result="运行正常",
                    )
                )
        monday += dt.timedelta(days=7)
    for year in ctx.years:
        for month in range(1, 13):
            rows.append(
                Patrol(
                    org_unit=office,
                    facility="vehicle",
                    kind="maintenance" if month % 3 == 0 else "routine",
                    patrolled_on=dt.date(year, month, rng.randint(10, 25)),
                    inspectors=f"{ctx.person()}、{ctx.person()}",
                    items="车载指挥系统通信设备、发电机、卫星终端",
                    result="升级维护完成" if month % 3 == 0 else "运行正常",
                )
            )
    saved = ctx.save(Patrol, rows)
    hazards_for(
        ctx,
        "civildefense",
        [p for p in saved if p.kind == "safety"],
        source=lambda p: f"{p.patrolled_on:%Y年%m月%d日}基本指挥所安全生产巡检",
        notice_prefix="人防巡改",
        code_prefix="RFXJ",
        categories=["equipment", "fire", "management"],
        texts=PATROL_PROBLEMS,
        per_inspection=(0,) * 14 + (1,),
        date_field="patrolled_on",
        location=lambda _p: "基本指挥所",
    )


def visits(ctx: DemoContext) -> None:
    from zhujian.domains.civildefense.models import SupervisionVisit

    rng = ctx.rng
    post_unit = ctx.townships[0]
    office = ctx.departments["renfang"]
    rows = []
    for year in ctx.years:
        rows.append(
            SupervisionVisit(
                org_unit=post_unit,
                code=f"RFDD-{year}-S",
                level="province",
                team="省人防办专项督导组",
                topic="单建人防工程安全生产专项督导检查",
                visited_on=ctx.date(year, 3, 6),
                inspectors=f"{ctx.person()}、{ctx.person()}、{ctx.person()}",
                accompanied_by=ctx.person(),
                targets="基本指挥所、单建人防工程",
                findings="对检查发现的问题立即整改，建立整改台账，逐项销号",
            )
        )
        for i in range(rng.randint(2, 4)):
            unit = rng.choice([office, *ctx.townships[1:6]])
            rows.append(
                SupervisionVisit(
                    org_unit=unit,
                    code=f"RFDD-{year}-C{i + 1}",
                    level="city",
                    team="市人防办督导组",
                    topic=rng.choice(
                        ["人防工程质量安全督导", "人防指挥通信保障督导", "人防宣传教育督导"]
                    ),
                    visited_on=ctx.date(year, 1 + 3 * i, 3 + 3 * i),
                    inspectors=f"{ctx.person()}、{ctx.person()}",
                    targets=unit.name,
                )
            )
    saved = ctx.save(SupervisionVisit, rows)
    for visit in saved:
        hazards_for(
            ctx,
            "civildefense",
            [visit],
            source=lambda v: f"{v.team}{v.visited_on:%Y年%m月%d日}{v.topic}",
            notice_prefix="人防督改",
            code_prefix="RFDD",
            categories=["management", "fire", "equipment", "operation"],
            texts=VISIT_PROBLEMS,
            per_inspection=(rng.randint(4, 9),) if visit.level == "province" else (0, 1, 2, 3),
            date_field="visited_on",
            location=lambda v: v.targets,
            on_time=1.0 if visit.level == "province" else 0.85,
        )


def works(ctx: DemoContext) -> None:
    from zhujian.domains.civildefense.models import DefenseWork, DefenseWorkInspection

    rng = ctx.rng
    places = _where(ctx)
    rows = []
    n = 0
    for year in (2020, *ctx.years):
        for _ in range(rng.randint(7, 12)):
            n += 1
            unit = rng.choice(places)
            registered = ctx.date(year)
            started = registered + dt.timedelta(days=rng.randint(10, 60))
            accepted = started + dt.timedelta(days=rng.randint(300, 560))
            standalone = rng.random() < 0.15
            rows.append(
                DefenseWork(
                    org_unit=unit,
                    code=f"RFZJ{year}{n:03d}",
                    name=f"{rng.choice(PROJECT_NAMES)}{'人防工程' if standalone else '防空地下室'}",
                    kind="standalone" if standalone else "attached",
                    builder=rng.choice(DEVELOPERS),
                    contractor=f"{rng.choice(['鲁建', '沂蒙', '华泰', '金泰'])}建设集团有限公司",
                    address=f"{unit.name}{rng.choice(['滨河路', '文化路', '兴业路', '迎宾路'])}",
                    area=D(rng.randrange(1800, 15000, 10)),
                    protection_class=rng.choice(["n6", "n6", "n6b", "c6", "n5"]),
                    wartime_use=rng.choice(["shelter", "shelter", "shelter", "store", "team"]),
                    registered_on=registered,
                    started_on=started if started <= DEMO_END else None,
                    accepted_on=accepted if accepted <= DEMO_END else None,
                )
            )
    saved = ctx.save(DefenseWork, rows)
    inspections = []
    for work in saved:
        if work.started_on is None:
            continue
        day = work.started_on + dt.timedelta(days=rng.randint(7, 30))
        last = min(work.accepted_on or DEMO_END, DEMO_END)
        k = 0
        while day <= last:
            k += 1
            inspections.append(
                DefenseWorkInspection(
                    org_unit_id=work.org_unit_id,
                    code=f"{work.code}-J{k:02d}",
                    work=work,
                    inspected_on=day,
                    inspectors=f"{ctx.person()}、{ctx.person()}",
                    content=rng.choice(
                        [
                            "防护密闭门框墙钢筋隐蔽验收",
                            "人防顶板、临空墙混凝土浇筑旁站",
                            "防护设备安装质量检查",
                            "通风、给排水穿墙管密闭处理检查",
                            "人防孔口防护段施工检查",
                        ]
                    ),
                    result="符合设计及规范要求",
                )
            )
            day += dt.timedelta(days=rng.randint(12, 40))
    saved_inspections = ctx.save(DefenseWorkInspection, inspections)
    hazards_for(
        ctx,
        "civildefense",
        saved_inspections,
        source=lambda i: f"人防工程质量监督检查（{i.code}）",
        notice_prefix="人防质改",
        code_prefix="RFZL",
        categories=["structure", "management"],
        texts=WORK_PROBLEMS,
        per_inspection=(0,) * 8 + (1, 2),
        location=lambda i: str(i.work),
    )


def shelters(ctx: DemoContext) -> None:
    from zhujian.domains.civildefense.models import DefenseWork, ShelterRequirement

    rng = ctx.rng
    places = _where(ctx)
    attached = list(DefenseWork.objects.filter(kind="attached").order_by("pk"))
    rows = []
    n = 0
    for year in ctx.years:
        for _ in range(rng.randint(8, 13)):
            n += 1
            unit = rng.choice(places)
            town = unit.kind != "street"
            use = rng.choice(["residential", "residential", "public"])
            obj = ShelterRequirement(
                org_unit=unit,
                code=f"RFJJ-{year}-{n:03d}",
                project_name=f"{rng.choice(PROJECT_NAMES)}{rng.choice(['一期', '二期', '三期', ''])}",
                developer=rng.choice(DEVELOPERS),
                city_class="town" if town else "county",
                use=use,
                above_ground_area=D(rng.randrange(6000, 150000, 100)),
                approved_on=ctx.date(year),
            )
            obj.derive()
            ground = rng.random()
            if obj.required_area < 1000:
                obj.fee_ground = "small"
            elif ground < 0.08:
                obj.fee_ground = "geology"
            elif ground < 0.12:
                obj.fee_ground = "plan_met"
            if obj.fee_ground:
                obj.planned_area = D(0)
                obj.fee_amount = (obj.required_area * D(rng.choice([800, 1000, 1200]))).quantize(
                    D("0.01")
                )
                paid = obj.approved_on + dt.timedelta(days=rng.randint(5, 60))
                obj.fee_paid_on = paid if paid <= DEMO_END else None
            else:
                obj.planned_area = (obj.required_area * D(rng.randint(100, 115)) / 100).quantize(
                    D("0.01")
                )
                if attached and rng.random() < 0.4:
                    obj.work = attached.pop(rng.randrange(len(attached)))
            rows.append(obj)
    ctx.save(ShelterRequirement, rows)
