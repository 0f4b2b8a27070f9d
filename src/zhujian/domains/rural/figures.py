"""Figures of （三）村镇建设 and of the plan's 村镇建设 commitments."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.db.models import Q

from zhujian.domains.plans.figures import deadline
from zhujian.domains.rural.models import (
    CleanHeatHousehold,
    CleanHeatTask,
    DilapidatedHousing,
    DilapidatedTask,
    EquipmentPurchase,
    HistoricTownPlan,
    PublicToilet,
    SelfBuiltHouse,
    SewageStation,
    SmallWork,
    ToiletFund,
    ToiletHousehold,
    ToiletStation,
)
from zhujian.domains.rural.models.toilets import EquipmentKind, FundSource
from zhujian.figures import headlines
from zhujian.figures.catalog import (
    Formula,
    count,
    earliest,
    latest,
    rate,
    register,
    sum_of,
    total,
)


def _this_year(field: str = "year") -> Any:
    """Records of the period's year (a yearly task: “今年上级下达”)."""
    return lambda p: Q(**{field: p.end.year})


def _floor(value: Any) -> Any:
    """“*余万元”: the whole part of an amount."""
    return None if value is None else Decimal(math.floor(Decimal(str(value))))


RENOVATED = Q(renovated=True)
HAZARD = Q(hazard=True)
TRUCKS = Q(kind=EquipmentKind.SUCTION_TRUCK, by_tender=True)  # “通过招投标形式采购”
SB = SelfBuiltHouse.stages
DH = DilapidatedHousing.stages

# --- 农村改厕 --------------------------------------------------------------------------------
register(
    count(
        "toilet.renovated_households",
        "排查已改厕户",
        ToiletHousehold,
        date="surveyed_on",
        mode="asof",
        where=RENOVATED,
        unit="户",
    ),
    count(
        "toilet.unrenovated_households",
        "排查未改厕户",
        ToiletHousehold,
        date="surveyed_on",
        mode="asof",
        where=~RENOVATED,
        unit="户",
    ),
    sum_of(
        "toilet.households_surveyed",
        "累计排查农户厕所",
        "toilet.renovated_households",
        "toilet.unrenovated_households",
        unit="户",
    ),
    count(
        "toilet.problem_households",
        "摸排出问题户厕",
        ToiletHousehold,
        date="surveyed_on",
        mode="asof",
        where=RENOVATED & Q(problem_count__gt=0),
        unit="户",
    ),
    total(
        "toilet.household_problems",
        "排查户厕问题",
        ToiletHousehold,
        "problem_count",
        date="surveyed_on",
        mode="asof",
        unit="处",
    ),
    count(
        "toilet.problems_rectified",
        "问题户厕已整改",
        ToiletHousehold,
        date="rectified_on",
        mode="asof",
        where=Q(problem_count__gt=0),
        unit="户",
        good="up",
    ),
    count(
        "toilet.willing_households",
        "有实施卫生厕所改造意愿农户",
        ToiletHousehold,
        date="surveyed_on",
        mode="asof",
        where=~RENOVATED & Q(willing=True),
        unit="户",
    ),
    count(
        "toilet.public_toilets",
        "排查农村公厕",
        PublicToilet,
        date="surveyed_on",
        mode="asof",
        unit="座",
    ),
    count(
        "toilet.problem_public_toilets",
        "排查出问题公厕",
        PublicToilet,
        date="surveyed_on",
        mode="asof",
        where=Q(problem_count__gt=0),
        unit="座",
    ),
    total(
        "toilet.public_toilet_problems",
        "公厕排查出问题",
        PublicToilet,
        "problem_count",
        date="surveyed_on",
        mode="asof",
        unit="处",
    ),
    count(
        "toilet.stations",
        "排查农村无害化厕所管护服务站",
        ToiletStation,
        date="surveyed_on",
        mode="asof",
        unit="处",
    ),
    count(
        "toilet.stations_abnormal",
        "运行不正常的管护服务站",
        ToiletStation,
        date="surveyed_on",
        mode="asof",
        where=~Q(status="normal"),
        unit="处",
    ),
    total(
        "toilet.provincial_funds",
        "争取乡村振兴重大专项资金（省级财政资金）",
        ToiletFund,
        "amount",
        date="received_on",
        where=Q(source=FundSource.PROVINCE),
        unit="万元",
    ),
    total(
        "toilet.truck_investment",
        "采购抽粪车辆投资",
        EquipmentPurchase,
        "investment",
        date="purchased_on",
        where=TRUCKS,
        unit="万元",
    ),
    Formula(
        id="toilet.truck_investment_floor",
        label="采购抽粪车辆投资（取整数部分，用于“余万元”）",
        args=["toilet.truck_investment"],
        fn=_floor,
        unit="万元",
    ),
    latest(
        "toilet.truck_volume",
        "采购抽粪车辆容积",
        EquipmentPurchase,
        "volume",
        date="purchased_on",
        where=TRUCKS,
        unit="立方米",
    ),
    total(
        "toilet.trucks",
        "采购抽粪车辆",
        EquipmentPurchase,
        "units",
        date="purchased_on",
        where=TRUCKS,
        unit="台",
    ),
)

# --- 经营性自建房 -------------------------------------------------------------------------------
register(
    latest(
        "selfbuilt.survey_date",
        "经营性自建房排查数据截至日期",
        SelfBuiltHouse,
        "surveyed_on",
        date="surveyed_on",
        mode="asof",
        unit="",
    ),
    SB.reached_figure(
        "selfbuilt.surveyed", "排查经营性自建房", SelfBuiltHouse, "surveyed", unit="栋"
    ),
    SB.reached_figure(
        "selfbuilt.hazardous",
        "初判存在安全隐患房屋",
        SelfBuiltHouse,
        "judged",
        where=HAZARD,
        unit="栋",
    ),
    rate(
        "selfbuilt.hazard_rate",
        "初判存在安全隐患率",
        "selfbuilt.hazardous",
        "selfbuilt.surveyed",
        good="down",
    ),
    SB.reached_figure(
        "selfbuilt.appraised",
        "初判存在安全隐患房屋鉴定",
        SelfBuiltHouse,
        "appraised",
        where=HAZARD,
        unit="栋",
        good="up",
    ),
    rate(
        "selfbuilt.appraisal_rate",
        "鉴定率",
        "selfbuilt.appraised",
        "selfbuilt.hazardous",
        good="up",
    ),
    SB.reached_figure(
        "selfbuilt.rectified",
        "初判存在安全隐患经营性自建房已完成整治",
        SelfBuiltHouse,
        "rectified",
        where=HAZARD,
        unit="栋",
        good="up",
    ),
    rate(
        "selfbuilt.rectify_rate", "整治率", "selfbuilt.rectified", "selfbuilt.hazardous", good="up"
    ),
)

# --- 农村危房改造 -------------------------------------------------------------------------------
register(
    total(
        "dilapidated.task",
        "上级下达农村危房改造任务",
        DilapidatedTask,
        "households",
        where=_this_year(),
        mode="all",
        unit="户",
    ),
    total(
        "dilapidated.central_funds",
        "下达中央补助资金",
        DilapidatedTask,
        "central_funds",
        where=_this_year(),
        mode="all",
        unit="万元",
    ),
    total(
        "dilapidated.provincial_funds",
        "下达省级补助资金",
        DilapidatedTask,
        "provincial_funds",
        where=_this_year(),
        mode="all",
        unit="万元",
    ),
    sum_of(
        "dilapidated.funds",
        "下达中央和省级补助资金",
        "dilapidated.central_funds",
        "dilapidated.provincial_funds",
        unit="万元",
    ),
    DH.reached_figure(
        "dilapidated.started",
        "危房改造已开工",
        DilapidatedHousing,
        "started",
        where=_this_year(),
        unit="户",
        good="up",
    ),
    DH.reached_figure(
        "dilapidated.completed",
        "危房改造已竣工",
        DilapidatedHousing,
        "completed",
        where=_this_year(),
        unit="户",
        good="up",
    ),
    DH.reached_figure(
        "dilapidated.accepted",
        "危房改造已验收",
        DilapidatedHousing,
        "accepted",
        where=_this_year(),
        unit="户",
    ),
    total(
        "dilapidated.paid",
        "危房改造补助资金已拨付",
        DilapidatedHousing,
        "subsidy",
        date="paid_on",
        mode="asof",
        where=_this_year(),
        unit="元",
    ),
    rate(
        "dilapidated.completion_rate",
        "危房改造竣工率",
        "dilapidated.completed",
        "dilapidated.task",
        good="up",
    ),
)

# --- 农村清洁取暖 --------------------------------------------------------------------------------
register(
    total(
        "cleanheat.task",
        "上级下达农村清洁取暖改造任务",
        CleanHeatTask,
        "households",
        where=_this_year(),
        mode="all",
        unit="户",
    ),
    count(
        "cleanheat.installed",
        "清洁取暖设备已安装",
        CleanHeatHousehold,
        date="installed_on",
        mode="asof",
        where=_this_year(),
        unit="户",
        good="up",
    ),
    count(
        "cleanheat.accepted",
        "清洁取暖已验收",
        CleanHeatHousehold,
        date="accepted_on",
        mode="asof",
        where=_this_year(),
        unit="户",
        good="up",
    ),
)

# --- 限额以下工程、规划、名镇、污水处理站 --------------------------------------------------------------
FOUR_ONE = Q(
    has_drawings=True,
    has_contract=True,
    has_qualified_builder=True,
    has_safety_measures=True,
    has_registration=True,
)
register(
    count("smallworks.started", "限额以下工程开工", SmallWork, date="started_on", unit="项"),
    count(
        "smallworks.four_one_ok",
        "“四有一证”齐全的限额以下工程",
        SmallWork,
        date="started_on",
        where=FOUR_ONE,
        unit="项",
        good="up",
    ),
    count(
        "smallworks.video",
        "安装视频监控的限额以下工程",
        SmallWork,
        date="started_on",
        where=Q(video_installed=True),
        unit="项",
    ),
    rate(
        "smallworks.video_rate",
        "视频监控覆盖率",
        "smallworks.video",
        "smallworks.started",
        good="up",
    ),
    latest(
        "townplan.historic_town",
        "完成保护规划编制的历史文化名镇",
        HistoricTownPlan,
        "town_name",
        date="approved_on",
        unit="",
    ),
    latest(
        "townplan.historic_plan_approved",
        "历史文化名镇保护规划县政府批复日期",
        HistoricTownPlan,
        "approved_on",
        date="approved_on",
        unit="",
    ),
    earliest(
        "townplan.historic_plan_reviewed",
        "历史文化名镇保护规划专家评审日期",
        HistoricTownPlan,
        "reviewed_on",
        date="reviewed_on",
        unit="",
    ),
    count(
        "sewage.stations_running",
        "正常运行的乡镇污水处理站",
        SewageStation,
        where=Q(status="running"),
        mode="all",
        unit="座",
        good="up",
    ),
)

# --- 下半年计划（四）村镇建设工作 ---------------------------------------------------------------
register(
    deadline("2022H2-toilet-rectify", "问题户厕完成整改期限"),
    deadline("2022H2-selfbuilt-appraise", "经营性自建房排查鉴定完成期限"),
    deadline("2022H2-selfbuilt-rectify", "经营性自建房整治完成期限"),
    deadline("2022H2-dilapidated-finish", "农村危房改造完成期限"),
    deadline("2022H2-cleanheat-install", "清洁取暖设备安装完成期限"),
    deadline("2022H2-cleanheat-accept", "清洁取暖验收调试完成期限"),
    deadline("2022H2-sewage-plan", "建制镇生活污水治理专项规划编制完成期限"),
)

headlines.register(
    "toilet",
    "toilet.households_surveyed",
    "toilet.problem_households",
    "toilet.willing_households",
    "toilet.public_toilets",
)
headlines.register("toilet", "toilet.problems_rectified", trend=True)
headlines.register(
    "selfbuilt",
    "selfbuilt.surveyed",
    "selfbuilt.hazardous",
    "selfbuilt.appraisal_rate",
    "selfbuilt.rectify_rate",
)
headlines.register("selfbuilt", "selfbuilt.appraised", "selfbuilt.rectified", trend=True)
headlines.register(
    "dilapidated",
    "dilapidated.task",
    "dilapidated.started",
    "dilapidated.completed",
    "dilapidated.paid",
)
headlines.register("dilapidated", "dilapidated.completed", trend=True)
headlines.register("cleanheat", "cleanheat.task", "cleanheat.installed", "cleanheat.accepted")
headlines.register(
    "smallworks", "smallworks.started", "smallworks.four_one_ok", "smallworks.video_rate"
)
headlines.register("sewage", "sewage.stations_running")
