"""The demo county (示例县): org units, bureau units and one user per role.

Deterministic for a seed; every domain app adds its own records through the ``demo``
callable of its ledger declarations (see :class:`DemoContext`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models
from simple_history.utils import bulk_create_with_history

from zhujian.core.lines import LINES
from zhujian.core.models import OrgUnit, OrgUnitKind, Role, User, has_history

COUNTY_CODE = "371399000000"
COUNTY_NAME = "示例县"
BUREAU_CODE = "371399900000"
DEMO_PASSWORD = "zhujian2022"

TOWNSHIPS = [
    ("城关街道", OrgUnitKind.STREET),
    ("东城街道", OrgUnitKind.STREET),
    ("西城街道", OrgUnitKind.STREET),
    ("青山镇", OrgUnitKind.TOWN),
    ("白水镇", OrgUnitKind.TOWN),
    ("柳河镇", OrgUnitKind.TOWN),
    ("石桥镇", OrgUnitKind.TOWN),
    ("杏林镇", OrgUnitKind.TOWN),
    ("桃源镇", OrgUnitKind.TOWN),
    ("金沙镇", OrgUnitKind.TOWN),
    ("凤凰镇", OrgUnitKind.TOWN),
    ("龙泉镇", OrgUnitKind.TOWN),
    ("丰乐镇", OrgUnitKind.TOWN),
    ("永安镇", OrgUnitKind.TOWN),
    ("长宁镇", OrgUnitKind.TOWN),
    ("太平镇", OrgUnitKind.TOWN),
    ("兴隆乡", OrgUnitKind.TOWNSHIP),
    ("和平乡", OrgUnitKind.TOWNSHIP),
    ("红旗乡", OrgUnitKind.TOWNSHIP),
    ("安乐乡", OrgUnitKind.TOWNSHIP),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
VILLAGE_SUFFIX = ["庄", "村", "家庄", "屯", "营", "洼", "店", "集", "楼", "岭"]
VILLAGE_PREFIX = ["东", "西", "南", "北", "前", "后", "大", "小", "上", "下", "新", ""]
COMMUNITY_NAMES = [
    "幸福",
    "和谐",
    "新华",
    "文化",
    "兴华",
    "育才",
    "滨河",
    "锦绣",
    "阳光",
    "泰和",
    "康宁",
    "惠民",
    "振兴",
    "安居",
    "民生",
    "友谊",
    "长青",
    "翠园",
    "金桥",
    "书香",
]

# The bureau's 股室 and 局属单位, with the business lines each edits county-wide.
BUREAU_UNITS: list[tuple[str, str, OrgUnitKind, list[str]]] = [
    ("bangongshi", "办公室", OrgUnitKind.DEPARTMENT, ["party", "plan", "general"]),
    (
        "chengjian",
        "城建股",
        OrgUnitKind.DEPARTMENT,
        ["municipal", "heating", "water", "drainage", "flood"],
    ),
    (
        "cunzhen",
        "村镇建设股",
        OrgUnitKind.DEPARTMENT,
        ["toilet", "selfbuilt", "dilapidated", "cleanheat", "smallworks", "townplan", "sewage"],
    ),
    ("zhubao", "住房保障中心", OrgUnitKind.AFFILIATE, ["demolition", "renovation", "rental"]),
    ("wuye", "物业管理办公室", OrgUnitKind.AFFILIATE, ["property"]),
    ("renfang", "人防办", OrgUnitKind.AFFILIATE, ["civildefense"]),
    ("jianzhu", "建筑业管理站", OrgUnitKind.AFFILIATE, ["construction", "wages"]),
    ("zhijian", "质量安全监督站", OrgUnitKind.AFFILIATE, ["construction"]),
    ("ranqi", "燃气管理办公室", OrgUnitKind.AFFILIATE, ["gas"]),
    ("fangchan", "房产服务中心", OrgUnitKind.AFFILIATE, ["realestate"]),
    ("xinfang", "信访办", OrgUnitKind.DEPARTMENT, ["petition"]),
]


@dataclass
class DemoContext:
    """What a domain's demo generator gets: a seeded RNG and the county's units and users."""

    seed: int
    size: str
    rng: random.Random
    county: OrgUnit
    bureau: OrgUnit
    townships: list[OrgUnit]
    villages: dict[int, list[OrgUnit]]  # township pk → its villages and communities
    departments: dict[str, OrgUnit]  # short code (e.g. "ranqi") → unit
    users: dict[str, User]
    years: Sequence[int] = (2021, 2022)
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def scale(self) -> int:
        """1 for the default demo; ~how many times larger for ``--size county``."""
        return 1 if self.size == "demo" else 10

    def all_villages(self) -> list[OrgUnit]:
        return [v for t in self.townships for v in self.villages[t.pk]]

    def rural_villages(self) -> list[OrgUnit]:
        return [v for v in self.all_villages() if v.kind == OrgUnitKind.VILLAGE]

    def date(self, year: int, first_month: int = 1, last_month: int = 12) -> dt.date:
        start = dt.date(year, first_month, 1)
        end = dt.date(year + (last_month == 12), 1 if last_month == 12 else last_month + 1, 1)
        return start + dt.timedelta(days=self.rng.randrange((end - start).days))

    def person(self) -> str:
        given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志强海燕红梅"
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choice(given) for _ in range(self.rng.choice((1, 2)))
        )

    def save(self, model: type[models.Model], objs: Iterable[models.Model]) -> list[models.Model]:
        """Insert with audit history, as made by the demo's administrator."""
        items = list(objs)
        if not items:
            return []
        if not has_history(model):  # a lean ledger (attendance): no audit rows
            return model._default_manager.bulk_create(items, batch_size=1000)
        return bulk_create_with_history(
            items,
            model,
            batch_size=1000,
            default_user=self.users["admin"],
            default_change_reason="示例数据",
        )

    def tag(self, obj: models.Model, *names: str) -> None:
        """Set report tags (报告标记) on a record, as a clerk does on its page."""
        from zhujian.core import tags

        for name in names:
            tags.add(obj, name)


def _village_names(rng: random.Random, count: int, used: set[str]) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(VILLAGE_PREFIX) + rng.choice(SURNAMES) + rng.choice(VILLAGE_SUFFIX)
        if name not in used:
            used.add(name)
            names.append(name)
    return names


def build_units(rng: random.Random, villages_per_township: int = 30) -> DemoContext:
    county = OrgUnit.objects.create(code=COUNTY_CODE, name=COUNTY_NAME, kind=OrgUnitKind.COUNTY)
    townships: list[OrgUnit] = []
    villages: dict[int, list[OrgUnit]] = {}
    used: set[str] = set()
    street_no, town_no, township_no = 1, 100, 200
    all_children: list[OrgUnit] = []
    for name, kind in TOWNSHIPS:
        if kind == OrgUnitKind.STREET:
            number, street_no = street_no, street_no + 1
        elif kind == OrgUnitKind.TOWN:
            number, town_no = town_no, town_no + 1
        else:
            number, township_no = township_no, township_no + 1
        code = f"{COUNTY_CODE[:6]}{number:03d}000"
        township = OrgUnit.objects.create(
            code=code, name=name, kind=kind, parent=county, sort=number
        )
        townships.append(township)
        members = []
        n_comm = 8 if kind == OrgUnitKind.STREET else 2
        comm_names = rng.sample(COMMUNITY_NAMES, n_comm)
        for i, cname in enumerate(comm_names, start=1):
            members.append(
                OrgUnit(
                    code=f"{code[:9]}{i:03d}",
                    name=f"{cname}社区",
                    kind=OrgUnitKind.COMMUNITY,
                    parent=township,
                    path=f"{township.path}{code[:9]}{i:03d}/",
                    sort=i,
                )
            )
        n_vill = villages_per_township - n_comm
        for i, vname in enumerate(_village_names(rng, n_vill, used), start=201):
            members.append(
                OrgUnit(
                    code=f"{code[:9]}{i:03d}",
                    name=f"{vname}村" if not vname.endswith("村") else vname,
                    kind=OrgUnitKind.VILLAGE,
                    parent=township,
                    path=f"{township.path}{code[:9]}{i:03d}/",
                    sort=i,
                )
            )
        villages[township.pk] = members
        all_children += members
    OrgUnit.objects.bulk_create(all_children)
    saved = {
        u.code: u
        for u in OrgUnit.objects.filter(kind__in=[OrgUnitKind.VILLAGE, OrgUnitKind.COMMUNITY])
    }
    for t in townships:
        villages[t.pk] = [saved[m.code] for m in villages[t.pk]]
    bureau = OrgUnit.objects.create(
        code=BUREAU_CODE,
        name=f"{COUNTY_NAME}住房和城乡建设局",
        kind=OrgUnitKind.BUREAU,
        parent=county,
        sort=900,
    )
    departments = {}
    for i, (short, name, kind, _lines) in enumerate(BUREAU_UNITS, start=1):
        departments[short] = OrgUnit.objects.create(
            code=f"{BUREAU_CODE[:9]}{i:03d}", name=name, kind=kind, parent=bureau, sort=i
        )
    return DemoContext(0, "demo", rng, county, bureau, townships, villages, departments, {})


def build_users(ctx: DemoContext) -> list[tuple[str, str, str]]:
    """One user per role (and per bureau unit, and per township); returns (login, role, unit)."""
    township_lines = [line.code for line in LINES if line.township_reports]
    specs: list[tuple[str, str, Role, OrgUnit | None, list[str], bool]] = [
        ("admin", "系统管理员", Role.ADMIN, ctx.bureau, [], True),
        ("leader", "局长（示例）", Role.LEADER, ctx.bureau, [], False),
        # 三员分立 (issue 24): with admin, the security and the audit administrator
        ("anquan", "安全管理员（示例）", Role.SECURITY, ctx.bureau, [], False),
        ("shenji", "审计管理员（示例）", Role.AUDITOR, ctx.bureau, [], False),
    ]
    for short, name, _kind, lines in BUREAU_UNITS:
        specs.append(
            (short, f"{name}（示例）", Role.DEPARTMENT, ctx.departments[short], lines, False)
        )
    for i, township in enumerate(ctx.townships, start=1):
        specs.append(
            (
                f"town{i:02d}",
                f"{township.name}（示例）",
                Role.TOWNSHIP,
                township,
                township_lines,
                False,
            )
        )
    printed = []
    password = make_password(DEMO_PASSWORD)  # hashing is slow by design: once, not per user
    for username, full_name, role, unit, lines, superuser in specs:
        user = User(
            username=username,
            first_name=full_name,
            role=role,
            org_unit=unit,
            business_lines=lines,
            is_staff=superuser,
            is_superuser=superuser,
        )
        user.password = password
        user.save()
        ctx.users[username] = user
        printed.append((username, role.label, unit.name if unit else ""))
    return printed
