"""Demo records for 党建, 2021 and 2022."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zhujian.demo.county import DemoContext

TOPICS = {
    "center_study": [
        "学习党的十九届六中全会精神",
        "学习习近平总书记重要讲话精神",
        "学习《中国共产党纪律处分条例》",
        "学习省第十二次党代会精神",
        "学习住房城乡建设领域政策法规",
    ],
    "party_lecture": ["书记讲党课：践行初心使命", "专题党课：作风建设", "党课：安全生产责任"],
    "theme_day": [
        "主题党日+文明城市创建",
        "主题党日+疫情防控志愿服务",
        "主题党日+重温入党誓词",
        "主题党日+清洁家园",
    ],
    "volunteer": [
        "双报到：社区疫情防控执勤",
        "双报到：小区环境整治",
        "双报到：关爱独居老人",
        "双报到：文明交通劝导",
    ],
    "special_meeting": ["“学悟见创”专题推进会", "“学悟见创”专题研讨会", "“学悟见创”阶段总结会"],
    "group_study": ["“学悟见创”集中学习", "“学悟见创”读书班"],
    "story": [
        "讲故事、学理论：身边的榜样",
        "讲故事、学理论：党史故事会",
        "讲故事、学理论：住建人的一天",
    ],
}
PER_HALF = {
    "center_study": (5, 8),
    "party_lecture": (2, 4),
    "theme_day": (5, 7),
    "volunteer": (6, 12),
    "special_meeting": (2, 5),
    "group_study": (4, 9),
    "story": (3, 7),
}


def activities(ctx: DemoContext) -> None:
    from zhujian.domains.party.models import PartyActivity

    rng = ctx.rng
    office = ctx.departments["bangongshi"]
    units = list(ctx.departments.values())
    rows = []
    for year in ctx.years:
        for first, last in ((1, 6), (7, 12)):
            for kind, (lo, hi) in PER_HALF.items():
                for _ in range(rng.randint(lo, hi)):
                    campaign = (
                        "学悟见创"
                        if kind in ("special_meeting", "group_study") and year >= 2022
                        else ""
                    )
                    rows.append(
                        PartyActivity(
                            org_unit=office if kind == "center_study" else rng.choice(units),
                            held_on=ctx.date(year, first, last),
                            kind=kind,
                            topic=rng.choice(TOPICS[kind]),
                            campaign=campaign,
                            participants=rng.randint(12, 60),
                            location="局机关会议室",
                        )
                    )
    kickoff = dt.date(2022, rng.choice((2, 3)), rng.randint(1, 28))
    rows.append(
        PartyActivity(
            org_unit=office,
            held_on=kickoff,
            kind="mobilization",
            campaign="学悟见创",
            topic="县住建系统理论武装体系暨“学悟见创”工作动员会议",
            participants=rng.randint(80, 160),
            location="局机关大会议室",
        )
    )
    # Keep (unit, date, kind, topic) unique, as the natural key requires.
    seen, unique = set(), []
    for row in rows:
        key = (row.org_unit_id, row.held_on, row.kind, row.topic)
        if key not in seen:
            seen.add(key)
            unique.append(row)
    ctx.save(PartyActivity, unique)


def cobuild(ctx: DemoContext) -> None:
    from zhujian.domains.party.models import CoBuildProject

    rng = ctx.rng
    communities = [
        v for t in ctx.townships[:3] for v in ctx.villages[t.pk] if v.kind == "community"
    ]
    themes = [
        "共建文明楼道",
        "老旧小区微改造议事",
        "物业服务提升",
        "社区志愿服务站",
        "小区停车秩序整治",
        "社区党群服务中心共建",
        "垃圾分类宣传",
        "燃气安全进社区",
        "防汛知识宣讲",
        "电动车充电设施共建",
    ]
    rows = []
    for year in ctx.years:
        for i in range(rng.randint(4, 9)):
            community = rng.choice(communities)
            started = ctx.date(year, 1, 3)
            done = rng.random() < 0.8
            completed = started + dt.timedelta(days=rng.randint(30, 150)) if done else None
            rows.append(
                CoBuildProject(
                    org_unit=community,
                    name=f"{year}年{community.name}{rng.choice(themes)}（{i + 1}）",
                    partner=rng.choice(
                        ["局机关第一支部", "局机关第二支部", "住房保障中心支部", "建管站支部"]
                    ),
                    started_on=started,
                    completed_on=completed,
                    status="completed" if done else "ongoing",
                )
            )
    ctx.save(CoBuildProject, rows)


def documents(ctx: DemoContext) -> None:
    from zhujian.domains.party.models import PartyDocument

    rng = ctx.rng
    office = ctx.departments["bangongshi"]
    rows = [
        PartyDocument(
            org_unit=office,
            title="住建系统“理论武装体系”建设方案",
            number="住建党发〔2022〕1号",
            kind="framework",
            issued_on=dt.date(2022, 1, rng.randint(5, 25)),
            main_items=1,
            supporting_items=rng.randint(3, 6),
        ),
        PartyDocument(
            org_unit=office,
            title=f"{ctx.county.name}住房和城乡建设局2022年意识形态重点工作实施方案",
            number="住建党发〔2022〕3号",
            kind="plan",
            issued_on=dt.date(2022, 2, rng.randint(1, 28)),
        ),
        PartyDocument(
            org_unit=office,
            title="意识形态工作研判制度",
            number="住建党发〔2022〕5号",
            kind="rule",
            issued_on=dt.date(2022, 3, rng.randint(1, 28)),
        ),
        PartyDocument(
            org_unit=office,
            title=f"{ctx.county.name}住房和城乡建设局2021年党建工作要点",
            number="住建党发〔2021〕2号",
            kind="plan",
            issued_on=dt.date(2021, 2, rng.randint(1, 28)),
        ),
    ]
    ctx.save(PartyDocument, rows)
