"""A round with a fixed list, built through the models as staff would build it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from zhujian.core.models import User
from zhujian.domains.housing.draw import algorithm as alg
from zhujian.domains.housing.models import (
    AllocationRound,
    RoundHousehold,
    RoundUnit,
    ShantytownProject,
)

PROJECT = "测试安置房项目"
HOUSEHOLDS = [
    ("王建国", "ZLS-001", "3713**********1234", "A组（两室）"),
    ("李秀英", "ZLS-002", "3713**********552X", "B组（三室）"),
    ("张伟", "ZLS-003", "", "A组（两室）"),
    ("刘芳", "ZLS-004", "3713**********0071", "A组（两室）"),
    ("陈静", "ZLS-005", "", "B组（三室）"),
    ("杨磊", "ZLS-006", "3713**********9902", "A组（两室）"),
    ("赵敏", "ZLS-007", "", "B组（三室）"),
]
UNITS = [
    ("1号楼1单元101室", "A组（两室）", "两室", Decimal("78.5")),
    ("1号楼1单元102室", "A组（两室）", "两室", Decimal("80.25")),
    ("1号楼2单元301室", "A组（两室）", "两室", Decimal("79")),
    ("2号楼1单元501室", "B组（三室）", "三室", Decimal("110.4")),
    ("2号楼1单元502室", "B组（三室）", "三室", Decimal("108.05")),
    ("2号楼2单元601室", "B组（三室）", "三室", Decimal("112")),
    ("2号楼2单元602室", "B组（三室）", "三室", Decimal("109.9")),
]
INPUTS = [("第3号家庭代表 张伟", "0815"), ("第6号家庭代表 杨磊", "4409"), ("监督员 孙某", "27")]
# The lottery draw declared before publication, and its numbers (seed version 2).
BEACON = {"source": "中国福利彩票3D", "issue": "2022133", "date": "2022-05-19"}
BEACON_VALUE = "3 7 2"
# The round's calendar: published, public inputs, lottery drawn, numbers typed and draw.
PUBLISHED_AT = dt.datetime(2022, 5, 10, 16, 0, tzinfo=dt.UTC)
INPUTS_AT = dt.datetime(2022, 5, 12, 2, 0, tzinfo=dt.UTC)
DRAWN_AT = dt.datetime(2022, 5, 20, 2, 0, tzinfo=dt.UTC)

# Computed once from LIST_DOCUMENT by the algorithm (and by the JavaScript reference):
# whatever the database, the round built below must give exactly these.
LIST_SHA256 = "12172571aa893c728cd25236d9241e61771a5fbb1cc328f59dc8ee700d75eff2"
SEED = "2d8b6ea0f97abd7a776ee8d3dc6c27fe1f130c8df5a65644289d0069e732c51c"
RESULT = [  # (group, position, household seq, unit seq)
    ("A组（两室）", 1, 6, 1),
    ("A组（两室）", 2, 3, 2),
    ("A组（两室）", 3, 1, 3),
    ("A组（两室）", 4, 4, None),
    ("B组（三室）", 1, 7, 4),
    ("B组（三室）", 2, 5, 5),
    ("B组（三室）", 3, 2, 6),
    ("B组（三室）", None, None, 7),
]


def list_document() -> dict:
    return {
        "format": alg.LIST_FORMAT,
        "round": {"code": "KAT-1", "name": "已知答案测试轮次", "project": PROJECT},
        "households": [
            {"seq": i, "code": code, "name": name, "id": id_number, "group": group}
            for i, (name, code, id_number, group) in enumerate(HOUSEHOLDS, start=1)
        ],
        "units": [
            {"seq": i, "code": code, "group": group, "layout": layout, "area": f"{area:.2f}"}
            for i, (code, group, layout, area) in enumerate(UNITS, start=1)
        ],
        "beacon": dict(BEACON),
    }


def accepted_project(code: str = "KAT-P") -> ShantytownProject:
    unit = ShantytownProject.objects.filter(accepted_on__isnull=False).first().org_unit
    return ShantytownProject.objects.create(
        org_unit=unit,
        code=code,
        name=PROJECT,
        approved_on=dt.date(2019, 1, 1),
        foundation_on=dt.date(2019, 5, 1),
        structure_on=dt.date(2019, 10, 1),
        topped_out_on=dt.date(2020, 12, 1),
        acceptance_on=dt.date(2021, 3, 1),
        accepted_on=dt.date(2021, 8, 1),
    )


def make_round(user: User, code: str = "KAT-1", project: ShantytownProject | None = None):
    """A draft round with the fixed list (households entered in reverse, to show that the
    list's order is its 公示序号, not the order of entry)."""
    project = project or accepted_project(f"{code}-P")
    rnd = AllocationRound(
        code=code,
        name="已知答案测试轮次",
        project=project,
        scheduled_on=dt.date(2022, 5, 20),
        beacon_source=BEACON["source"],
        beacon_issue=BEACON["issue"],
        beacon_date=dt.date.fromisoformat(BEACON["date"]),
    )
    rnd._history_user = user
    rnd.save()
    for i, (name, hcode, id_number, group) in reversed(list(enumerate(HOUSEHOLDS, start=1))):
        RoundHousehold.objects.create(
            round=rnd, seq=i, household_code=hcode, head_name=name, id_number=id_number, group=group
        )
    for i, (ucode, group, layout, area) in enumerate(UNITS, start=1):
        RoundUnit.objects.create(
            round=rnd, seq=i, code=ucode, group=group, layout=layout, floor_area=area
        )
    return rnd


def drawn_round(user: User, code: str = "KAT-1"):
    from zhujian.domains.housing.draw import service

    rnd = make_round(user, code)
    service.freeze(rnd, user, at=PUBLISHED_AT)
    for who, value in INPUTS:
        service.add_input(rnd, who, value, user, at=INPUTS_AT)
    service.set_beacon(rnd, BEACON_VALUE, user, at=DRAWN_AT)
    return service.run(rnd, user, "测试签发人", at=DRAWN_AT)


class Clock:
    """The draw service's clock, moved through a round's calendar (pages pass no time)."""

    def __init__(self, monkeypatch, at: dt.datetime = PUBLISHED_AT) -> None:
        from zhujian.domains.housing.draw import service

        self.now = at
        monkeypatch.setattr(service, "_now", lambda: self.now)

    def to(self, at: dt.datetime) -> None:
        self.now = at
