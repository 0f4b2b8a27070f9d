from django.db.models import Q

from zhujian.domains.party.models import (
    ActivityKind,
    CoBuildProject,
    DocumentKind,
    PartyActivity,
    PartyDocument,
)
from zhujian.figures import headlines
from zhujian.figures.catalog import count, earliest, latest, register

XWJC = Q(campaign="学悟见创")


def _kind(kind: str) -> Q:
    return Q(kind=kind)


register(
    earliest(
        "party.xwjc_kickoff_date",
        "“学悟见创”动员会议日期",
        PartyActivity,
        "held_on",
        date="held_on",
        where=XWJC & _kind(ActivityKind.MOBILIZATION),
        unit="",
    ),
    latest(
        "party.framework_main",
        "理论武装体系主体项数",
        PartyDocument,
        "main_items",
        date="issued_on",
        mode="asof",
        where=_kind(DocumentKind.FRAMEWORK),
        unit="项",
    ),
    latest(
        "party.framework_supporting",
        "理论武装体系配套项数",
        PartyDocument,
        "supporting_items",
        date="issued_on",
        mode="asof",
        where=_kind(DocumentKind.FRAMEWORK),
        unit="项",
    ),
    count(
        "party.xwjc_special_meetings",
        "“学悟见创”专题会议",
        PartyActivity,
        date="held_on",
        where=XWJC & _kind(ActivityKind.SPECIAL_MEETING),
        unit="次",
    ),
    count(
        "party.xwjc_group_studies",
        "“学悟见创”集中学习",
        PartyActivity,
        date="held_on",
        where=XWJC & _kind(ActivityKind.GROUP_STUDY),
        unit="次",
    ),
    count(
        "party.story_activities",
        "“讲故事、学理论”活动",
        PartyActivity,
        date="held_on",
        where=_kind(ActivityKind.STORY),
        unit="次",
    ),
    count(
        "party.center_studies",
        "理论中心组集体学习",
        PartyActivity,
        date="held_on",
        where=_kind(ActivityKind.CENTER_STUDY),
        unit="次",
    ),
    count(
        "party.party_lectures",
        "集中上党课",
        PartyActivity,
        date="held_on",
        where=_kind(ActivityKind.PARTY_LECTURE),
        unit="次",
    ),
    count(
        "party.theme_days",
        "“主题党日+”活动",
        PartyActivity,
        date="held_on",
        where=_kind(ActivityKind.THEME_DAY),
        unit="次",
    ),
    count(
        "party.volunteer_services",
        "双报到志愿服务活动",
        PartyActivity,
        date="held_on",
        where=_kind(ActivityKind.VOLUNTEER),
        unit="次",
    ),
    count(
        "party.cobuild_completed",
        "完成共驻共建项目",
        CoBuildProject,
        date="completed_on",
        unit="项",
    ),
)

headlines.register(
    "party",
    "party.center_studies",
    "party.theme_days",
    "party.volunteer_services",
    "party.cobuild_completed",
)
