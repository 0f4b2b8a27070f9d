"""Special campaigns: measures declared as data, figures from the logs."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.domains.construction.helpers import H1, messages, value
from zhujian.core.models import OrgUnit
from zhujian.core.registry import registry
from zhujian.domains.construction.campaign_figures import campaign_for
from zhujian.domains.construction.figures import TAG_EPIDEMIC
from zhujian.domains.construction.models import CampaignLog
from zhujian.figures.catalog import evaluate
from zhujian.figures.periods import Period
from zhujian.reports import template

pytestmark = pytest.mark.django_db
COUNTY = "371399000000"


def expected(code: str, period: Period = H1, unit: OrgUnit | None = None) -> Decimal | None:
    """A measure's value computed from its log rows in plain Python."""
    campaign = campaign_for(TAG_EPIDEMIC, period)
    measure = campaign.measures.get(code=code)
    start = max(period.start, campaign.started_on)
    end = min(period.end, campaign.ended_on)
    logs = CampaignLog.objects.filter(measure=measure, logged_on__lte=end)
    if unit is not None:
        logs = logs.filter(org_unit__path__startswith=unit.path)
    everything = list(logs.order_by("logged_on", "pk"))
    rows = [r for r in everything if r.logged_on >= start]
    values = [r.value for r in rows]
    days = (end - start).days + 1
    # stocks: each unit's last value before the window counts as held at its start
    per_unit_max: dict[int, Decimal] = defaultdict(Decimal)
    per_unit_last: dict[int, Decimal] = {}
    for r in everything:
        if r.logged_on < start:
            per_unit_max[r.org_unit_id] = r.value
        else:
            per_unit_max[r.org_unit_id] = max(per_unit_max[r.org_unit_id], r.value)
        per_unit_last[r.org_unit_id] = r.value
    stock = measure.aggregation in ("max", "latest")
    if not (per_unit_last if stock else rows):
        return None
    result = {
        "sum": sum(values),
        "min": min(values, default=None),
        "max": sum(per_unit_max.values()),
        "latest": sum(per_unit_last.values()),
        "per_day": sum(values) / days,
        "per_week": sum(values) * 7 / days,
    }[measure.aggregation]
    return Decimal(result).quantize(Decimal(1), rounding=ROUND_HALF_UP)


MARKS = {
    "停工工地": "construction.epidemic_sites_shut",
    "督导组": "construction.epidemic_teams",
    "出动车辆": "construction.epidemic_vehicles_daily",
    "出动人次": "construction.epidemic_person_times_daily",
    "巡查工地": "construction.epidemic_sites_patrolled",
    "核酸检测人数": "construction.epidemic_workers_tested",
    "核酸检测轮次": "construction.epidemic_test_rounds_weekly",
    "试剂储备天数": "construction.epidemic_kit_days",
    "快检比例": "construction.epidemic_quick_test_share",
    "车辆通行证": "construction.epidemic_vehicle_passes",
}


@pytest.mark.parametrize("code", list(MARKS))
def test_epidemic_figures_come_from_the_logs_as_each_measure_declares(code):
    assert value(MARKS[code]) == expected(code) is not None


def test_the_same_figures_are_reachable_by_tag_and_code():
    for code, fid in MARKS.items():
        assert value(f"campaign.{TAG_EPIDEMIC}.{code}") == value(fid)


def test_a_stock_kept_by_townships_adds_up_to_the_county():
    county = value("construction.epidemic_sites_shut")
    parts = [
        value("construction.epidemic_sites_shut", unit=t) or 0
        for t in OrgUnit.objects.filter(
            parent__code=COUNTY, kind__in=["street", "town", "township"]
        )
    ]
    assert county == sum(parts) > 0


def test_the_2021_campaign_gives_the_2021_figures():
    h1_2021 = Period.parse("2021H1")
    assert campaign_for(TAG_EPIDEMIC, h1_2021).started_on.year == 2021
    assert value("construction.epidemic_vehicle_passes", h1_2021) == expected("车辆通行证", h1_2021)


def test_a_period_without_the_campaign_has_no_value():
    assert value("construction.epidemic_teams", Period.parse("2022Q3")) is None


@pytest.mark.parametrize("code", ["督导组", "停工工地", "试剂储备天数", "车辆通行证"])
def test_a_later_quarter_of_the_campaign_keeps_the_stocks_it_held(code):
    q2 = Period.parse("2022Q2")
    assert value(MARKS[code], q2) == expected(code, q2) is not None


def test_a_log_of_an_undeclared_measure_is_refused():
    log = CampaignLog.objects.select_related("campaign").first()
    log.measure_code = "no_such_measure"
    assert "没有代码或名称为“no_such_measure”的指标（可用：" in messages(log)["measure_code"][0]


def test_a_log_outside_the_campaign_dates_is_refused():
    log = CampaignLog.objects.select_related("campaign").first()
    log.logged_on = log.campaign.started_on - dt.timedelta(days=1)
    assert "日期不在专项行动期间" in messages(log)["logged_on"][0]


def test_a_log_from_outside_the_campaigns_unit_is_refused():
    log = CampaignLog.objects.filter(campaign__code="2022-CG-YC").first()
    log.org_unit = OrgUnit.objects.get(code="371399002000")
    assert "不在专项行动" in messages(log)["org_unit"][0]


def test_a_percentage_log_cannot_exceed_100():
    log = CampaignLog.objects.filter(measure__unit="%").first()
    log.value = Decimal(101)
    assert messages(log)["value"] == ["百分比不能大于100"]


def test_a_new_campaign_made_only_through_the_ledgers_yields_figures(client, user):
    client.force_login(user("jianzhu"))
    county = OrgUnit.objects.get(code=COUNTY)

    def post(ledger: str, data: dict) -> dict:
        response = client.post(f"/api/ledgers/{ledger}/", data, content_type="application/json")
        assert response.status_code == 201, response.json()
        return response.json()

    campaign = post(
        "construction_campaign",
        {
            "org_unit": county.pk,
            "code": "2022-FXTEST",
            "name": "2022年建筑工地防汛专项督查",
            "kind": "flood",
            "started_on": "2022-06-01",
            "ended_on": "2022-06-30",
        },
    )
    for code, name, how in (("巡查工地", "巡查工地", "sum"), ("抽水泵", "储备抽水泵", "latest")):
        post(
            "construction_campaignmeasure",
            {"org_unit": county.pk, "campaign": campaign["id"], "code": code, "name": name,
             "unit": "个", "aggregation": how},
        )  # fmt: skip
    for day, patrols, pumps in (
        ("2022-06-03", 12, 20),
        ("2022-06-10", 9, 26),
        ("2022-06-20", 15, 24),
    ):
        for code, number in (("巡查工地", patrols), ("抽水泵", pumps)):
            post(
                "construction_campaignlog",
                {"org_unit": county.pk, "campaign": campaign["id"], "measure_code": code,
                 "logged_on": day, "value": str(number)},
            )  # fmt: skip
    tag_url = registry.get("construction_campaign").url("tags", pk=campaign["id"])
    assert client.post(tag_url, {"tag": "防汛督查"}).status_code == 302
    line = (
        "共巡查工地{{ campaign.防汛督查.巡查工地 }}处，储备抽水泵{{ campaign.防汛督查.抽水泵 }}台"
    )
    assert template.check(line) == []
    values = evaluate(template.figure_ids(line), H1)
    assert values["campaign.防汛督查.巡查工地"].value == 36
    assert values["campaign.防汛督查.抽水泵"].value == 24


def test_an_import_of_logs_with_an_undeclared_code_names_the_row_and_writes_nothing(tmp_path, user):
    from tests.domains.xlsx import write_rows
    from zhujian.imports.engine import import_file

    ledger = registry.get("construction_campaignlog")
    good = {"所属单位": COUNTY, "专项行动": "2022-GDYQ", "指标代码": "出动车辆",
            "日期": "2022-04-01", "数值": 99}  # fmt: skip
    bad = {**good, "指标代码": "drones"}
    path = write_rows(tmp_path / "logs.xlsx", ledger.name, [good, bad])
    before = CampaignLog.objects.count()
    result = import_file(ledger, path, user("jianzhu"))
    assert [(e.row, e.column) for e in result.errors] == [(3, "指标代码")]
    assert "没有代码或名称为“drones”的指标" in result.errors[0].reason
    assert CampaignLog.objects.count() == before


def test_a_measure_saved_without_a_code_gets_one_and_logs_may_name_it():
    """Issue 23: staff do not invent English codes. A measure without one is numbered
    m<n> within its campaign; a log may give the measure's name instead of its code."""
    from zhujian.domains.construction.models import CampaignMeasure

    campaign = CampaignLog.objects.select_related("campaign").first().campaign
    taken = set(campaign.measures.values_list("code", flat=True))
    measure = CampaignMeasure(campaign=campaign, name="检查工地数", aggregation="sum")
    measure.save()
    assert measure.code.startswith("m") and measure.code not in taken
    second = CampaignMeasure(campaign=campaign, name="约谈企业数", aggregation="sum")
    second.save()
    assert second.code not in {*taken, measure.code}
    log = CampaignLog(
        campaign=campaign,
        measure_code="检查工地数",
        logged_on=campaign.started_on,
        value=3,
        org_unit=campaign.org_unit,
    )
    log.derive()
    assert (log.measure_id, log.measure_code) == (measure.pk, measure.code)
