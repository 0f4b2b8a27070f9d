"""Demo records for （六）建筑行业监管, 2019–2022 (figures read 2021 and 2022).

Enterprises carry valid 统一社会信用代码; projects spread over the county town's streets
(城关街道 included) and the towns; every machine, inspection and device hangs on a project.
The 2021 and 2022 epidemic-control campaigns carry the report tag the default template
names (工地疫情防控); a safety month, a flood season and a township's own campaign show
that other campaigns need no code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from zhujian.domains.construction.validators import ALPHABET, check_character
from zhujian.hazards.demo import hazards_for

if TYPE_CHECKING:
    from zhujian.core.models import OrgUnit
    from zhujian.demo.county import DemoContext

D = Decimal
DEMO_END = dt.date(2022, 12, 31)
LOCAL_REGION = "371399"
OTHER_REGIONS = ["371302", "371311", "371312", "370102", "370211", "320303"]

WORDS = [
    "鲁建",
    "沂蒙",
    "华泰",
    "金泰",
    "恒达",
    "宏远",
    "兴业",
    "安居",
    "广厦",
    "正元",
    "天元",
    "中联",
]
WORDS += [
    "盛世",
    "嘉禾",
    "东方",
    "荣昌",
    "鼎盛",
    "泰山",
    "沂河",
    "蒙山",
    "祥和",
    "永固",
    "建邦",
    "新城",
]
SUFFIX = {
    "general": "建设集团有限公司",
    "specialty": "建筑安装工程有限公司",
    "labour": "劳务有限公司",
    "supervision": "工程监理有限公司",
    "design": "建筑设计院有限公司",
    "components": "新型建材科技有限公司",
}
DEVELOPERS = [
    "示例县城投置业有限公司",
    "沂州房地产开发有限公司",
    "恒信置业有限公司",
    "华府房地产开发有限公司",
    "示例县教育和体育局",
    "示例县人民医院",
    "金城实业有限公司",
    "示例县经济开发区管委会",
]
ESTATES = ["锦绣华府", "翡翠名城", "学府佳苑", "滨河御景", "阳光花园", "书香苑", "泰和嘉园"]
ESTATES += ["金桥名邸", "东城印象", "沂河湾", "龙湖苑", "盛世华庭", "凤凰城", "玉泉山庄"]
PUBLIC = [
    "县人民医院门诊综合楼",
    "第十五小学教学楼",
    "县实验中学综合楼",
    "县档案馆",
    "全民健身中心",
]
PUBLIC += ["县中医院病房楼", "职业中专实训楼", "商贸城综合体", "经开区标准化厂房"]
SITE_HAZARDS = [
    "临边洞口防护不到位",
    "脚手架连墙件设置不足",
    "施工用电未做到一机一闸一漏保",
    "塔吊限位装置失效",
    "作业人员未正确佩戴安全帽",
    "基坑周边堆载超限",
    "消防器材配备不足",
    "特种作业人员无证上岗",
    "模板支撑体系未按方案搭设",
    "施工升降机防坠安全器超期未检",
    "安全技术交底记录缺失",
    "现场扬尘防治措施落实不到位",
]


def uscc(rng: Any, region: str) -> str:
    """A 统一社会信用代码 with a correct check character (91 = 工商, 企业)."""
    body = "".join(rng.choice(ALPHABET[:10]) for _ in range(8)) + rng.choice(ALPHABET)
    first17 = f"91{region}{body}"
    return first17 + check_character(first17)


def _streets(ctx: DemoContext) -> list[OrgUnit]:
    return [t for t in ctx.townships if t.kind == "street"]


def _towns(ctx: DemoContext) -> list[OrgUnit]:
    return [t for t in ctx.townships if t.kind != "street"]


def _clip(day: dt.date | None) -> dt.date | None:
    return day if day is not None and day <= DEMO_END else None


def _add(day: dt.date | None, lo: int, hi: int, rng: Any) -> dt.date | None:
    return None if day is None else _clip(day + dt.timedelta(days=rng.randint(lo, hi)))


def _inspectors(ctx: DemoContext, n: int) -> str:
    names: list[str] = []
    while len(names) < n:
        name = ctx.person()
        if name not in names:
            names.append(name)
    return "、".join(names)


# --- enterprises ---------------------------------------------------------------------------


def enterprises(ctx: DemoContext) -> None:
    from zhujian.domains.construction.models import Enterprise, Licence, SafetyAgreement

    rng = ctx.rng
    places = _streets(ctx) * 3 + _towns(ctx)
    office = ctx.departments["jianzhu"]
    plan = [("components", True)] * rng.randint(3, 5)
    plan += [("general", False)] * rng.randint(5, 8)
    plan += [("general", True)] * rng.randint(10, 14)
    plan += [("specialty", True)] * rng.randint(6, 9)
    plan += [("labour", True)] * rng.randint(8, 12)
    plan += [("supervision", True)] * rng.randint(3, 5)
    plan += [("design", True)] * 2
    names = rng.sample([a + b for a in WORDS for b in WORDS if a != b], len(plan))
    rows = []
    for i, ((kind, local), word) in enumerate(zip(plan, names, strict=True)):
        unit = rng.choice(places) if local else office
        if i < 2:  # component factories: one in 城关街道, one in a town
            unit = ctx.townships[0] if i == 0 else rng.choice(_towns(ctx))
        town = unit.name if local else "临沂市"
        rows.append(
            Enterprise(
                org_unit=unit,
                uscc=uscc(rng, LOCAL_REGION if local else rng.choice(OTHER_REGIONS)),
                name=f"{'示例县' if local else '山东'}{word}{SUFFIX[kind]}",
                kind=kind,
                local=local,
                legal_rep=ctx.person(),
                contact=ctx.person(),
                phone=f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}",
                address=f"{town}{rng.choice(['建设路', '迎宾路', '文化路', '兴业路'])}{rng.randint(1, 300)}号",
            )
        )
    saved = ctx.save(Enterprise, rows)
    licences, agreements = [], []
    n = 0
    for ent in saved:
        if ent.kind not in ("general", "specialty", "labour"):
            continue
        n += 1
        grade = rng.choice(["壹级", "贰级", "贰级", "叁级"])
        scope = {
            "general": f"建筑工程施工总承包{grade}",
            "specialty": f"起重设备安装工程专业承包{grade}",
            "labour": "施工劳务不分等级",
        }[ent.kind]
        issued = dt.date(rng.randint(2018, 2021), rng.randint(1, 12), rng.randint(1, 28))
        licences.append(
            Licence(
                org_unit_id=ent.org_unit_id,
                enterprise=ent,
                kind="qualification",
                number=f"D{rng.randint(2370000, 2379999)}{n:03d}",
                scope=scope,
                issuer="山东省住房和城乡建设厅"
                if ent.kind == "general"
                else "临沂市住房和城乡建设局",
                issued_on=issued,
                expires_on=issued.replace(year=issued.year + 5) - dt.timedelta(days=1),
            )
        )
        # Safety licences: most valid through 2022; some expired, of which most renewed.
        first = dt.date(rng.randint(2018, 2021), rng.randint(1, 12), rng.randint(1, 28))
        fate = rng.random()
        if fate < 0.12:
            first = dt.date(2019, rng.randint(1, 6), rng.randint(1, 28))  # expires in 2022H1
        cycles = [first]
        if fate >= 0.05 and first.replace(year=first.year + 3) <= dt.date(2022, 9, 30):
            cycles.append(first.replace(year=first.year + 3))  # renewed on expiry
        for k, start in enumerate(cycles, start=1):
            licences.append(
                Licence(
                    org_unit_id=ent.org_unit_id,
                    enterprise=ent,
                    kind="safety",
                    number=f"(鲁)JZ安许证字[{start.year}]{rng.randint(130000, 139999)}-{n:03d}{k}",
                    scope="建筑施工",
                    issuer="山东省住房和城乡建设厅",
                    issued_on=start,
                    expires_on=start.replace(year=start.year + 3) - dt.timedelta(days=1),
                )
            )
        if ent.local:
            for year in ctx.years:
                if rng.random() < 0.9:
                    agreements.append(
                        SafetyAgreement(
                            org_unit_id=ent.org_unit_id,
                            number=f"AQZRS-{year}-{n:03d}",
                            enterprise=ent,
                            year=year,
                            signed_on=ctx.date(year, 1, 4),
                            signatory=ent.legal_rep,
                        )
                    )
    ctx.save(Licence, licences)
    ctx.save(SafetyAgreement, agreements)


# --- projects ------------------------------------------------------------------------------


def projects(ctx: DemoContext) -> None:
    from zhujian.domains.construction.models import (
        Building,
        ConstructionProject,
        Enterprise,
        Participant,
    )

    rng = ctx.rng
    streets, towns = _streets(ctx), _towns(ctx)
    firms = list(Enterprise.objects.order_by("pk"))
    generals = [e for e in firms if e.kind == "general"]
    specialties = [e for e in firms if e.kind == "specialty"]
    labours = [e for e in firms if e.kind == "labour"]
    supervisors = [e for e in firms if e.kind == "supervision"]
    rows = []
    n = 0
    for year in (2019, 2020, 2021, 2022):
        count = {2019: 12, 2020: 18, 2021: 26, 2022: 24}[year] + rng.randint(-3, 4)
        for _ in range(count):
            n += 1
            in_town = rng.random() < 0.72
            unit = rng.choice(streets) if in_town else rng.choice(towns)
            use = rng.choice(
                ["residential"] * 5 + ["public", "public", "industrial", "resettlement"]
            )
            name = (
                f"{rng.choice(ESTATES)}{rng.choice(['一期', '二期', '三期', 'A区', 'B区'])}"
                if use in ("residential", "resettlement")
                else rng.choice(PUBLIC)
            )
            if use == "resettlement":
                name = f"{unit.name}安置区{rng.choice(['一期', '二期', '三期'])}"
            area = D(rng.randrange(6000, 160000 if in_town else 40000, 100))
            permitted = ctx.date(year)
            started = _add(permitted, 3, 40, rng)
            completed = _add(started, 420, 1000, rng)
            rows.append(
                ConstructionProject(
                    org_unit=unit,
                    code=f"JZ{year}{n:04d}",
                    name=f"{name}项目",
                    permit_number=f"371399{permitted:%Y%m%d}{n:04d}",
                    use=use,
                    developer=rng.choice(DEVELOPERS),
                    contractor=rng.choice(generals),
                    address=f"{unit.name}{rng.choice(['滨河路', '文化路', '兴业路', '迎宾路', '沂河路'])}",
                    area_kind="county_town" if in_town else "township",
                    floor_area=area,
                    cost=(area * D(rng.randint(1800, 3200)) / 10000).quantize(D("0.01")),
                    permitted_on=permitted,
                    started_on=started,
                    completed_on=completed,
                    realname_on=_add(started, 0, 20, rng)
                    if started and started >= dt.date(2020, 6, 1) and rng.random() < 0.93
                    else None,
                )
            )
    saved = ctx.save(ConstructionProject, rows)
    buildings, participants = [], []
    for project in saved:
        k = rng.randint(2, 8)
        shares = [rng.randint(5, 20) for _ in range(k)]
        prefab_year = project.started_on and project.started_on.year >= 2021
        for i, share in enumerate(shares, start=1):
            structure = rng.choice(
                ["shear_wall", "frame_shear", "frame"]
                if project.use in ("residential", "resettlement")
                else ["frame", "frame_shear", "steel"]
            )
            if prefab_year and rng.random() < (0.3 if project.started_on.year == 2022 else 0.15):
                structure = "prefab_concrete"
            started = _add(project.started_on, 0, 90, rng)
            buildings.append(
                Building(
                    org_unit_id=project.org_unit_id,
                    project=project,
                    name=f"{i}#楼",
                    structure=structure,
                    floors=rng.randint(5, 33)
                    if project.use == "residential"
                    else rng.randint(2, 12),
                    area=(project.floor_area * D(share) * D("0.97") / sum(shares)).quantize(
                        D("0.01"), rounding="ROUND_DOWN"
                    ),
                    started_on=started,
                    completed_on=project.completed_on if started else None,
                )
            )
        if project.started_on is None:
            continue
        entered = project.started_on
        picks = [("labour", rng.choice(labours)), ("supervision", rng.choice(supervisors))]
        for firm in rng.sample(specialties, rng.randint(0, 2)):
            picks.append(("specialty", firm))
        for role, firm in picks:
            participants.append(
                Participant(
                    org_unit_id=project.org_unit_id,
                    project=project,
                    enterprise=firm,
                    role=role,
                    scope={
                        "labour": "主体劳务",
                        "supervision": "施工监理",
                        "specialty": "起重设备安装",
                    }[role],
                    contract_amount=(project.cost * D(rng.randint(3, 15)) / 100).quantize(
                        D("0.01")
                    ),
                    entered_on=_add(entered, 0, 20, rng) or entered,
                    left_on=project.completed_on,
                )
            )
    ctx.save(Building, buildings)
    ctx.save(Participant, participants)


# --- lifting machines ------------------------------------------------------------------------


def machines(ctx: DemoContext) -> None:
    from zhujian.domains.construction.models import ConstructionProject, Enterprise, LiftingMachine

    rng = ctx.rng
    owners = list(Enterprise.objects.filter(kind__in=["specialty", "general"]).order_by("pk"))
    installers = [e for e in owners if e.kind == "specialty"]
    active = ConstructionProject.objects.filter(
        started_on__isnull=False, started_on__gte=dt.date(2020, 6, 1)
    ).order_by("pk")
    rows = []
    n = 0
    for project in active:
        for _ in range(rng.randint(1, 3)):
            n += 1
            kind = rng.choice(["tower", "tower", "hoist", "material"])
            filed = project.started_on - dt.timedelta(days=rng.randint(10, 900))
            notice = _add(project.started_on, 5, 60, rng)
            installed = _add(notice, 3, 10, rng)
            inspected = _add(installed, 2, 7, rng)
            accepted = _add(inspected, 1, 5, rng)
            fate = rng.random()
            registered = (
                None
                if fate < 0.05
                else _add(accepted, 31, 60, rng)
                if fate < 0.13
                else _add(accepted, 2, 28, rng)
            )
            removal_notice = removed = None
            if project.completed_on and registered:
                removal_notice = _clip(
                    project.completed_on - dt.timedelta(days=rng.randint(30, 90))
                )
                if removal_notice and removal_notice < registered:
                    removal_notice = None
                removed = _add(removal_notice, 2, 10, rng)
            obj = LiftingMachine(
                org_unit_id=project.org_unit_id,
                record_number=f"鲁QH-{filed.year}-{n:04d}",
                kind=kind,
                spec=rng.choice(["QTZ80(TC6010)", "QTZ63(TC5610)", "QTZ125(TC6015)"])
                if kind == "tower"
                else rng.choice(["SC200/200", "SC100/100", "SSD100"]),
                factory_number=f"{filed.year}{rng.randint(10000, 99999)}",
                manufacturer=rng.choice(["中联重科", "徐工建机", "山东大汉", "四川建机"]),
                made_on=filed - dt.timedelta(days=rng.randint(30, 1500)),
                owner=rng.choice(owners),
                installer=rng.choice(installers),
                project=project,
                filed_on=filed,
                install_notice_on=notice,
                installed_on=installed if notice else None,
                inspected_on=inspected if installed else None,
                inspection_result="passed" if installed and inspected else "",
                accepted_on=accepted if inspected else None,
                acceptance_result="passed" if inspected and accepted else "",
                registered_on=registered if accepted else None,
                registration_number=f"鲁QD-{registered:%Y}-{n:04d}"
                if registered and accepted
                else "",
                removal_notice_on=removal_notice,
                removed_on=removed,
                cancelled_on=_add(removed, 30, 200, rng)
                if removed and rng.random() < 0.1
                else None,
            )
            obj.derive()
            rows.append(obj)
    ctx.save(LiftingMachine, rows)


# --- inspections and enforcement ---------------------------------------------------------------


def _active_on(projects: list[Any], day: dt.date) -> list[Any]:
    return [
        p
        for p in projects
        if p.started_on and p.started_on <= day and (not p.completed_on or p.completed_on >= day)
    ]


def inspections(ctx: DemoContext) -> None:
    from zhujian.domains.construction.models import (
        ConstructionProject,
        SiteInspection,
        Suspension,
        ViolationLead,
    )

    rng = ctx.rng
    projects = list(ConstructionProject.objects.select_related("contractor").order_by("pk"))
    rows = []
    n = 0
    for year in ctx.years:
        for month in range(1, 13):
            for _ in range(rng.randint(6, 14)):
                day = dt.date(year, month, rng.randint(1, 28))
                candidates = _active_on(projects, day)
                if not candidates:
                    continue
                project = rng.choice(candidates)
                people = rng.randint(2, 5)
                n += 1
                rows.append(
                    SiteInspection(
                        org_unit_id=project.org_unit_id,
                        code=f"JZJC-{year}-{n:04d}",
                        kind=rng.choice(["safety", "safety", "safety", "quality", "special"]),
                        project=project,
                        enterprise=project.contractor,
                        inspected_on=day,
                        inspectors=_inspectors(ctx, people),
                        person_times=people,
                        findings="对施工现场安全生产、文明施工、扬尘治理等进行检查",
                    )
                )
            if month % 2 == 0:  # market enforcement checks, every other month
                day = dt.date(year, month, rng.randint(1, 28))
                active = _active_on(projects, day)
                for project in rng.sample(active, k=min(len(active), rng.randint(4, 9))):
                    n += 1
                    rows.append(
                        SiteInspection(
                            org_unit_id=project.org_unit_id,
                            code=f"JZJC-{year}-{n:04d}",
                            kind="market",
                            project=project,
                            enterprise=project.contractor,
                            inspected_on=day,
                            inspectors=_inspectors(ctx, 2),
                            person_times=2,
                            findings="检查施工许可、承发包、劳务用工、合同履约等建筑市场行为",
                        )
                    )
    saved = ctx.save(SiteInspection, rows)
    supervision = [i for i in saved if i.kind != "market"]
    hazards = hazards_for(
        ctx,
        "construction",
        supervision,
        source=lambda i: f"建筑工地{i.get_kind_display()}（{i.code}）",
        notice_prefix="建安改",
        code_prefix="JZ",
        categories=["equipment", "management", "operation", "fire", "structure"],
        texts=SITE_HAZARDS,
        per_inspection=(0, 1, 2, 3, 3, 4, 5, 6),
        location=lambda i: str(i.project),
    )
    by_inspection: dict[int, int] = {}
    for hazard in hazards:
        by_inspection[hazard.source_id] = by_inspection.get(hazard.source_id, 0) + 1
    serious = [i for i in supervision if by_inspection.get(i.pk, 0) >= 5]
    suspensions = []
    for k, inspection in enumerate(rng.sample(serious, k=min(len(serious), rng.randint(8, 14)))):
        ordered = inspection.inspected_on + dt.timedelta(days=rng.randint(0, 2))
        suspensions.append(
            Suspension(
                org_unit_id=inspection.org_unit_id,
                number=f"示建停字〔{ordered.year}〕{k + 1}号",
                enterprise=inspection.project.contractor,
                project=inspection.project,
                inspection=inspection,
                ordered_on=ordered,
                reason="施工现场存在重大安全隐患，拒不整改或整改不到位",
                lifted_on=_add(ordered, 7, 30, rng),
            )
        )
    ctx.save(Suspension, suspensions)
    market = [i for i in saved if i.kind == "market"]
    leads = []
    for k, inspection in enumerate(rng.sample(market, k=min(len(market), rng.randint(6, 12)))):
        leads.append(
            ViolationLead(
                org_unit_id=inspection.org_unit_id,
                number=f"JZXS-{inspection.inspected_on.year}-{k + 1:03d}",
                kind=rng.choice(["contracting", "subcontracting", "affiliation", "no_permit"]),
                project=inspection.project,
                enterprise=inspection.project.contractor,
                found_on=inspection.inspected_on,
                facts="检查中发现涉嫌违法行为，已固定证据",
                transferred_to="示例县综合行政执法局",
                transferred_on=_add(inspection.inspected_on, 2, 20, rng),
            )
        )
    ctx.save(ViolationLead, leads)


# --- campaigns -------------------------------------------------------------------------------

EPIDEMIC_MEASURES = [
    # code, name, unit, aggregation
    ("停工工地", "全面停工的建筑工地", "处", "max"),
    ("督导组", "督导巡查组", "个", "max"),
    ("出动车辆", "出动车辆", "辆", "per_day"),
    ("出动人次", "出动人次", "人次", "per_day"),
    ("巡查工地", "督导巡查的县城建筑工地", "个", "max"),
    ("核酸检测人数", "进行核酸检测的施工人员", "名", "max"),
    ("核酸检测轮次", "全员核酸检测轮次", "轮", "per_week"),
    ("试剂储备天数", "抗原检测试剂储备天数", "天", "latest"),
    ("快检比例", "每天快速检测人员比例", "%", "min"),
    ("车辆通行证", "办理车辆通行证", "张", "sum"),
]


def campaigns(ctx: DemoContext) -> None:
    from zhujian.domains.construction.figures import TAG_EPIDEMIC
    from zhujian.domains.construction.models import (
        Campaign,
        CampaignLog,
        CampaignMeasure,
        ConstructionProject,
    )

    rng = ctx.rng
    county = ctx.county
    city = ctx.townships[0]
    specs = [
        (
            "2021-GDYQ",
            "2021年冬春建筑工地疫情防控",
            "epidemic",
            dt.date(2021, 1, rng.randint(8, 14)),
            dt.date(2021, 2, rng.randint(20, 28)),
            county,
            0.6,
        ),
        (
            "2022-GDYQ",
            "2022年建筑工地疫情防控专项行动",
            "epidemic",
            dt.date(2022, 3, rng.randint(10, 16)),
            dt.date(2022, 5, rng.randint(10, 25)),
            county,
            1.0,
        ),
    ]
    rows = [
        Campaign(
            org_unit=unit,
            code=code,
            name=name,
            kind=kind,
            started_on=start,
            ended_on=end,
            lead=ctx.person(),
            description="第一时间下发停工通知，成立督导巡查组，落实核酸检测和车辆通行管理",
        )
        for code, name, kind, start, end, unit, _scale in specs
    ]
    others = [
        ("2022-AQY", "2022年建筑施工“安全生产月”活动", "safety_month", dt.date(2022, 6, 1),
         dt.date(2022, 6, 30), county),
        ("2022-XQ", "2022年建筑工地汛期安全专项检查", "flood", dt.date(2022, 6, 15),
         dt.date(2022, 9, 30), county),
        ("2022-CG-YC", "城关街道2022年建筑工地扬尘专项整治", "rectification",
         dt.date(2022, 4, 1), dt.date(2022, 10, 31), city),
    ]  # fmt: skip
    rows += [
        Campaign(org_unit=unit, code=code, name=name, kind=kind, started_on=s, ended_on=e,
                 lead=ctx.person())
        for code, name, kind, s, e, unit in others
    ]  # fmt: skip
    saved = {c.code: c for c in ctx.save(Campaign, rows)}
    measures, logs = [], []
    projects = list(ConstructionProject.objects.order_by("pk"))
    for code, _name, _kind, start, end, _unit, scale in specs:
        campaign = saved[code]
        ctx.tag(campaign, TAG_EPIDEMIC)
        for m_code, m_name, m_unit, how in EPIDEMIC_MEASURES:
            measures.append(
                CampaignMeasure(
                    org_unit=county,
                    campaign=campaign,
                    code=m_code,
                    name=m_name,
                    unit=m_unit,
                    aggregation=how,
                )
            )

        def log(
            m_code: str, day: dt.date, value: Any, unit: OrgUnit = county, to: Any = campaign
        ) -> None:
            logs.append(
                CampaignLog(
                    org_unit=unit, campaign=to, measure_code=m_code, logged_on=day, value=D(value)
                )
            )

        days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        for town in ctx.townships:  # each township reports its sites shut: the projects
            # under construction there, and a few small works outside the project ledger
            shut = sum(1 for p in _active_on(projects, start) if p.org_unit_id == town.pk)
            shut += rng.randint(0, 2) if shut else 0
            if shut:
                log("停工工地", start, shut, town)
                log("停工工地", days[len(days) // 2], max(0, shut - rng.randint(0, 3)), town)
        log("督导组", start, round(rng.randint(5, 8) * scale))
        workers = round(rng.randint(3000, 6000) * scale)
        for i, day in enumerate(days):
            log("出动车辆", day, rng.randint(4, 9))
            log("出动人次", day, rng.randint(12, 30))
            log("快检比例", day, rng.randint(20, 40))
            log("车辆通行证", day, round(rng.randint(10, 60) * scale))
            if day.weekday() in (0, 3):  # two rounds a week
                log("核酸检测轮次", day, 1)
                log("核酸检测人数", day, workers + rng.randint(-300, 300))
            if i % 7 == 0:
                in_town = [p for p in _active_on(projects, day) if p.area_kind == "county_town"]
                log("巡查工地", day, len(in_town) + rng.randint(0, 5))
                log("试剂储备天数", day, rng.randint(6, 10))
    # Other campaigns declare their own measures: no code knows them.
    own = {
        "2022-AQY": [("检查工地", "检查建筑工地", "个", "sum"),
                     ("排查隐患", "排查整改隐患", "条", "sum")],
        "2022-XQ": [("汛期巡查", "汛期巡查", "次", "sum"),
                    ("抽水泵", "储备抽水泵", "台", "latest")],
        "2022-CG-YC": [("检查工地", "检查建筑工地", "个", "sum")],
    }  # fmt: skip
    for code, declared in own.items():
        campaign = saved[code]
        for m_code, m_name, m_unit, how in declared:
            measures.append(
                CampaignMeasure(
                    org_unit_id=campaign.org_unit_id,
                    campaign=campaign,
                    code=m_code,
                    name=m_name,
                    unit=m_unit,
                    aggregation=how,
                )
            )
            day = campaign.started_on
            while day <= campaign.ended_on:
                logs.append(
                    CampaignLog(
                        org_unit_id=campaign.org_unit_id,
                        campaign=campaign,
                        measure_code=m_code,
                        logged_on=day,
                        value=D(rng.randint(3, 40)),
                    )
                )
                day += dt.timedelta(days=rng.randint(5, 9))
    saved_measures = ctx.save(CampaignMeasure, measures)
    by_key = {(m.campaign_id, m.code): m for m in saved_measures}
    for entry in logs:
        entry.measure = by_key[(entry.campaign_id, entry.measure_code)]
    ctx.save(CampaignLog, logs)


# --- smart sites ----------------------------------------------------------------------------


def smart_sites(ctx: DemoContext) -> None:
    from zhujian.domains.construction.models import (
        ConstructionProject,
        LiftingMachine,
        SiteDevice,
        SmartSitePilot,
    )

    rng = ctx.rng
    threshold = D(rng.choice([10000, 20000, 30000]))
    pilot, _extension = ctx.save(
        SmartSitePilot,
        [
            SmartSitePilot(
                org_unit=ctx.departments["zhijian"],
                code="ZHGD-2021-1",
                name="智慧工地试点（第一批）",
                document="示住建发〔2021〕35号",
                launched_on=dt.date(2021, rng.randint(6, 10), 1),
                min_floor_area=threshold,
            ),
            SmartSitePilot(  # a street widens the pilot to its own sites, after 2022H1
                org_unit=ctx.townships[0],
                code="ZHGD-2022-CG",
                name="城关街道智慧工地扩面",
                document="城办发〔2022〕12号",
                launched_on=dt.date(2022, 8, 1),
                min_floor_area=threshold,
            ),
        ],
    )
    sites = [
        p
        for p in ConstructionProject.objects.filter(started_on__isnull=False).order_by("pk")
        if p.floor_area >= threshold
        and (p.completed_on is None or p.completed_on > pilot.launched_on)
        and p.area_kind == "county_town"
    ]
    chosen = rng.sample(sites, k=min(len(sites), rng.randint(12, 20)))
    towers = {}
    for machine in LiftingMachine.objects.filter(kind="tower", project__in=chosen).order_by("pk"):
        towers.setdefault(machine.project_id, machine)
    rows = []
    n = 0

    def add(project: Any, kind: str, **kw: Any) -> None:
        nonlocal n
        n += 1
        start = max(project.started_on, pilot.launched_on) + dt.timedelta(days=rng.randint(5, 45))
        if start > (project.completed_on or DEMO_END):
            return
        rows.append(
            SiteDevice(
                org_unit_id=project.org_unit_id,
                code=f"ZHGD-{n:04d}",
                project=project,
                pilot=kw.pop("pilot", pilot),
                kind=kind,
                installed_on=start,
                removed_on=_add(project.completed_on, 1, 15, rng) if project.completed_on else None,
                vendor=rng.choice(["海康威视", "大华股份", "宇视科技", "山东建科智能"]),
                **kw,
            )
        )

    for project in chosen:
        for _ in range(rng.randint(2, 6)):
            add(project, "dome_camera")
        mn = f"37139901{project.pk:06d}{rng.randint(1000, 9999)}"
        add(
            project,
            "dust",
            mn=mn,
            factors="a34004,a34002,LA,a01001,a01002,a01007,a01008",
            concentration_unit=rng.choice(["mg", "mg", "ug"]),
        )
        machine = towers.get(project.pk)
        if machine is not None:
            add(
                project,
                "crane_monitor",
                machine=machine,
                factors="tc_load,tc_moment,tc_radius,a01007",
            )
    for project in rng.sample(
        [p for p in sites if p not in chosen], k=min(3, len(sites) - len(chosen))
    ):
        add(project, "camera", pilot=None)  # cameras outside the pilot
    ctx.save(SiteDevice, rows)


# --- fire acceptance, prefab --------------------------------------------------------------------


def fire(ctx: DemoContext) -> None:
    from zhujian.domains.construction.models import (
        ConstructionProject,
        Enterprise,
        FireAcceptance,
        PrefabApplication,
    )

    rng = ctx.rng
    done = list(
        ConstructionProject.objects.filter(completed_on__isnull=False).order_by("completed_on")
    )
    rows = []
    n = 0
    for year in ctx.years:
        for half in (1, 2):
            for kind, k in (("acceptance", rng.randint(4, 10)), ("filing", rng.randint(8, 18))):
                for _ in range(k):
                    n += 1
                    decided = ctx.date(year, 6 * half - 5, 6 * half)
                    applied = decided - dt.timedelta(days=rng.randint(3, 14))
                    near = [p for p in done if abs((p.completed_on - decided).days) < 60]
                    project = rng.choice(near) if near and rng.random() < 0.7 else None
                    if kind == "acceptance":
                        result = "passed" if rng.random() < 0.9 else "failed"
                        category = rng.choice(
                            ["c03", "c04", "c05", "c05", "c07", "c07", "c10", "c12"]
                        )
                    else:
                        result = "filed" if rng.random() < 0.95 else "spot_failed"
                        category = ""
                    rows.append(
                        FireAcceptance(
                            org_unit_id=project.org_unit_id
                            if project
                            else rng.choice(ctx.townships[:3]).pk,
                            number=f"示住建消{'验' if kind == 'acceptance' else '备'}字〔{year}〕第{n:03d}号",
                            kind=kind,
                            category=category,
                            project=project,
                            project_name=project.name
                            if project
                            else f"{rng.choice(ESTATES)}商业楼装修工程",
                            area=(
                                project.floor_area if project else D(rng.randrange(1500, 20000, 10))
                            ),
                            applied_on=applied,
                            decided_on=decided,
                            result=result,
                        )
                    )
    ctx.save(FireAcceptance, rows)
    factories = list(Enterprise.objects.filter(kind="components").order_by("pk"))
    applications = []
    for year in ctx.years:
        # 2021: the town's factory; 2022: the street's and some others.
        chosen = [factories[1]] if year == 2021 else [factories[0]]
        chosen += rng.sample(factories[2:], k=rng.randint(0, len(factories) - 2))
        for factory in chosen:
            applied = ctx.date(year, 3, 6)
            result = rng.choice(["approved", "rejected", "pending"]) if year == 2021 else "pending"
            applications.append(
                PrefabApplication(
                    org_unit_id=factory.org_unit_id,
                    enterprise=factory,
                    products=rng.choice(
                        ["叠合板、预制楼梯", "预制墙板、叠合梁", "PC构件、预制楼梯"]
                    ),
                    capacity=D(rng.randrange(50000, 200000, 10000)),
                    applied_on=applied,
                    result=result,
                    decided_on=_add(applied, 60, 150, rng) if result != "pending" else None,
                )
            )
    ctx.save(PrefabApplication, applications)


# --- tenders -------------------------------------------------------------------------------


def tenders(ctx: DemoContext) -> None:
    from zhujian.domains.construction.models import ConstructionProject, Enterprise, Tender

    rng = ctx.rng
    projects = list(ConstructionProject.objects.order_by("pk"))
    by_kind: dict[str, list[Any]] = {}
    for firm in Enterprise.objects.order_by("pk"):
        by_kind.setdefault(firm.kind, []).append(firm)
    winners = {
        "works": by_kind["general"],
        "supervision": by_kind["supervision"],
        "design": by_kind["design"],
        "goods": by_kind["specialty"],
        "services": by_kind["design"] + by_kind["supervision"],
    }
    rows = []
    n = 0
    for year in ctx.years:
        for _ in range(rng.randint(80, 110) if year == 2021 else rng.randint(50, 80)):
            n += 1
            category = rng.choice(["works"] * 5 + ["supervision", "supervision", "design", "goods"])
            announced = ctx.date(year)
            opened = _add(announced, 20, 35, rng)
            awarded = _add(opened, 3, 12, rng)
            cost = D(rng.randint(50, 9000) if category == "works" else rng.randint(20, 400))
            project = rng.choice(projects) if rng.random() < 0.5 else None
            rows.append(
                Tender(
                    org_unit_id=project.org_unit_id if project else ctx.departments["jianzhu"].pk,
                    code=f"SLZB-{year}-{n:04d}",
                    name=f"{project.name if project else rng.choice(PUBLIC)}"
                    f"{dict(works='施工', supervision='监理', design='设计', goods='设备采购', services='服务')[category]}",
                    project=project,
                    category=category,
                    method="open" if rng.random() < 0.9 else "invited",
                    cost=cost,
                    announced_on=announced,
                    opened_on=opened,
                    awarded_on=awarded,
                    winner=rng.choice(winners[category]) if awarded else None,
                    winning_bid=(cost * D(rng.randint(85, 99)) / 100).quantize(D("0.01"))
                    if awarded
                    else None,
                )
            )
    ctx.save(Tender, rows)
