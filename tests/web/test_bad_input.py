"""Odd query parameters and broken stored data never give a server error (security audit,
issue 9 items 13 and 17): a 400 with a Chinese message, a Chinese 404, or the page with a
clear message; and the error pages themselves are Chinese."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import login
from zhujian.core.filters import filterset_for
from zhujian.core.registry import registry
from zhujian.figures.periods import MAX_YEAR, MIN_YEAR, Period, PeriodError
from zhujian.reports.models import ReportTemplate
from zhujian.web import dashboard

pytestmark = pytest.mark.django_db

FIGURE = "toilet.problem_households"

# Every endpoint or download that takes a period, with the parameters it needs besides:
# a bad period is a 400 there.
PERIOD_PAGES = [
    ("/dashboard/data.json", {}),
    ("/dashboard/units.json", {"figure": FIGURE}),
    ("/report/download/", {"format": "txt"}),
    ("/api/figures/", {"ids": FIGURE}),
]
# Pages where people type the period: a bad one shows the default period and says why.
PERIOD_FORMS = ["/", "/figures/", f"/figures/{FIGURE}/records/", "/report/"]

ODD_PERIODS = [
    "0001",  # year-on-year would fall off the calendar
    "0000",
    "0001H1",
    "0001Q1",
    "0001-01",
    "9999",
    "1899",
    "2101",
    "2022-01-01..9999-12-31",
    "0001-01-01..2022-01-01",
    "@9999-12-31",
    "@0001-03-01",
    "2022-13-01..2022-14-01",  # no such month
    "@2022-02-30",  # no such day
    "2022-02-29..2022-03-01",
    "2022-00",
    "2022H3",
    "abc",
    "2022" * 100,
]


@pytest.mark.parametrize("bad", ODD_PERIODS)
def test_period_parse_refuses_odd_periods_in_chinese(bad):
    with pytest.raises(PeriodError, match=r"期间|月份|结束日期"):
        Period.parse(bad)


def test_period_bounds_are_inclusive_and_year_on_year_stays_valid():
    first, last = Period.parse(f"{MIN_YEAR}"), Period.parse(f"{MAX_YEAR}-12-01..{MAX_YEAR}-12-31")
    assert first.previous_year().start.year == MIN_YEAR - 1
    assert last.end.year == MAX_YEAR
    assert Period.parse(f"@{MIN_YEAR}-02-28").previous_year().as_of


@pytest.mark.parametrize("bad", ODD_PERIODS)
@pytest.mark.parametrize(("url", "params"), PERIOD_PAGES, ids=[u for u, _ in PERIOD_PAGES])
def test_odd_period_is_a_400_with_a_chinese_message(client, admin_user, url, params, bad):
    client.raise_request_exception = False
    login(client, admin_user)
    if url == "/report/download/":  # a form posts the format; the period is in the query
        response = client.post(f"{url}?{urlencode({'period': bad})}", params)
    else:
        response = client.get(url, {**params, "period": bad})
    assert response.status_code == 400, response.content[:300]
    text = response.content.decode()
    if response["Content-Type"].startswith("application/json"):
        detail = response.json()
        assert "期间" in str(detail) or "月份" in str(detail) or "结束日期" in str(detail)
    else:
        assert "请求有误" in text and "期间写法" in text
        assert "Traceback" not in text


@pytest.mark.parametrize(
    "bad",
    [
        "0001",
        "@2022-02-30",
        "2022H3",
        "2022" * 100,
        "上半年",
        "<b>二〇二二</b>",
        "２０２２年第五季度",
    ],
)
@pytest.mark.parametrize("url", PERIOD_FORMS)
def test_odd_period_typed_on_a_page_shows_the_default_with_a_chinese_message(
    client, admin_user, url, bad
):
    login(client, admin_user)
    response = client.get(url, {"period": bad})
    assert response.status_code == 200
    text = response.content.decode()
    assert "已改为显示2022年上半年" in text
    assert "无法识别的期间" in text or "年份应在" in text or "不存在" in text or "月份" in text
    assert "<b>二〇二二</b>" not in text  # escaped


@pytest.mark.parametrize(
    ("typed", "code"),
    [("2022年上半年", "2022H1"), ("2022年6月", "2022-06"), ("2022h1", "2022H1")],
)
def test_period_typed_in_chinese_is_read(client, admin_user, typed, code):
    login(client, admin_user)
    response = client.get("/", {"period": typed})
    assert response.status_code == 200
    assert response.context["period"].code == code
    assert "已改为显示" not in response.content.decode()


def test_odd_period_is_a_400_also_with_debug_on(client, admin_user, settings):
    settings.DEBUG = True
    login(client, admin_user)
    response = client.get("/api/figures/", {"period": "0001", "ids": FIGURE})
    assert response.status_code == 400
    assert f"年份应在 {MIN_YEAR}–{MAX_YEAR} 之间" in response.content.decode()


def test_report_editor_says_the_preview_period_is_wrong(client, user):
    from zhujian.reports.build import ensure_default_template

    template = ensure_default_template()
    login(client, user("leader"))
    response = client.get(reverse("reports:edit", args=[template.pk]), {"period": "0001"})
    assert response.status_code == 200
    assert "已按 2022H1 计算" in response.content.decode()


def _chart_figure() -> str:
    return dashboard.chart_choices()[0]["id"]


# (method, url, data, expected status): each odd parameter on each page that takes one.
ODD_PARAMETERS = [
    ("get", "/figures/", {"unit": "nosuch"}, 404),
    ("get", "/figures/nosuch.figure/records/", {}, 404),
    ("get", f"/figures/{FIGURE}/records/", {"page": "abc"}, 200),
    ("get", f"/figures/{FIGURE}/records/", {"page": "-1"}, 200),
    ("get", f"/figures/{FIGURE}/records/", {"page": "99999999999999999999"}, 200),
    ("get", f"/figures/{FIGURE}/records/", {"unit": "'; drop table x"}, 404),
    ("get", "/dashboard/units.json", {"figure": "nosuch"}, 404),
    ("get", "/dashboard/units.json", {}, 404),
    ("get", "/report/", {"template": "没有这个模板"}, 200),
    ("post", "/report/download/", {"format": "exe"}, 400),
    ("get", "/api/figures/", {"ids": "nosuch"}, 400),
    ("get", "/api/figures/", {"unit": "nosuch"}, 400),
    ("get", "/hazards/", {"township": "abc"}, 200),
    ("get", "/hazards/", {"township": "-1"}, 200),
    ("get", "/hazards/", {"page": "abc"}, 200),
    ("get", "/hazards/", {"page": "99999999999999999999"}, 200),
    ("get", "/hazards/", {"status": "nosuch", "line": "nosuch", "overdue": "x"}, 200),
    ("get", "/hazards/overdue/", {"township": "1e3"}, 200),
    ("get", "/hazards/api/", {"township": "abc"}, 200),
    ("get", "/hazards/api/", {"page": "abc"}, 404),
    ("get", "/hazards/api/", {"page": "99999"}, 404),
    ("get", "/hazards/api/", {"status": "nosuch", "overdue": "1"}, 200),
    ("post", "/hazards/api/abc/notice/", {}, 404),
    ("post", "/hazards/api/99999999999999999999/notice/", {}, 404),
    ("post", "/hazards/api/1/nosuch/", {}, 404),
    (
        "post",
        "/hazards/api/",
        {"source_ledger": "urban_floodinspection", "source_record": "abc"},
        400,
    ),
    (
        "post",
        "/hazards/api/",
        {"source_ledger": "urban_floodinspection", "source_record": "1.5"},
        400,
    ),
    ("post", "/hazards/api/", {"source_ledger": "nosuch", "source_record": "1"}, 400),
    ("get", "/hazards/99999999999999999999/", {}, 404),
    ("get", "/hazards/new/", {"ledger": "urban_floodinspection", "id": "abc"}, 200),
    (
        "get",
        "/hazards/new/",
        {"ledger": "urban_floodinspection", "id": "99999999999999999999"},
        404,
    ),
    ("get", "/imports/99999999999999999999/", {}, 404),
    ("get", "/ledgers/nosuch/", {}, 404),
    ("get", "/api/ledgers/hazards_hazard/abc/", {}, 404),
    ("get", "/api/ledgers/hazards_hazard/99999999999999999999/", {}, 404),
    ("get", "/api/ledgers/hazards_hazard/", {"page": "abc"}, 404),
    ("get", "/api/ledgers/hazards_hazard/", {"found_on__gte": "notadate"}, 400),
    ("get", "/api/ledgers/hazards_hazard/", {"ordering": "nosuch"}, 200),
    ("get", "/api/ledgers/hazards_hazard/", {"unit": "nosuch"}, 200),
]


@pytest.mark.parametrize(
    ("method", "url", "data", "expected"),
    ODD_PARAMETERS,
    ids=[f"{m} {u} {d}" for m, u, d, _ in ODD_PARAMETERS],
)
def test_odd_parameters(client, user, method, url, data, expected):
    client.raise_request_exception = False
    login(client, user("admin"))
    if method == "get":
        response = client.get(url, data)
    elif "/api/" in url:
        response = client.post(url, data, content_type="application/json")
    else:  # a page's form
        response = client.post(url, data)
    assert response.status_code == expected, response.content[:300]
    if response.status_code == 400 and response["Content-Type"].startswith("application/json"):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(response.json())), response.json()


LEDGERS = list(registry)


def _ledger_odd_queries(ledger) -> list[dict[str, str]]:
    """Odd values for the page, sort, unit and search, and for every filter at once."""
    filterset = filterset_for(ledger)(None, queryset=ledger.model._default_manager.none())
    filters = [key for key in filterset.form.fields if key not in ("unit", "q")]
    return [
        {"page": "abc", "o": "nosuch", "unit": "nosuch"},
        {"page": "99999999999999999999", "o": "--" + ledger.list_display[0]},
        {"page": "-5", "o": "-", "q": "%_\\'\""},
        {key: "notadate" for key in filters},
        {key: "99999999999999999999999" for key in filters},
        {key: "NaN" for key in filters},
    ]


@pytest.mark.parametrize("ledger", LEDGERS, ids=[lg.name for lg in LEDGERS])
def test_ledger_list_and_api_never_fail_on_odd_parameters(client, admin_user, ledger):
    client.raise_request_exception = False
    login(client, admin_user)
    failures = []
    for query in _ledger_odd_queries(ledger):
        response = client.get(ledger.url_list, query)
        if response.status_code != 200:
            failures.append(("list", query, response.status_code))
        response = client.get(f"/api/ledgers/{ledger.name}/", query)
        if response.status_code not in (200, 400, 404):
            failures.append(("api", query, response.status_code))
    # The export shares the list's filtering; odd values that match nothing keep it quick.
    for query in ({"unit": "nosuch", "o": "--x"}, {"q": "%_\\'\"", "page": "abc"}):
        response = client.get(reverse("web:ledger_export", args=[ledger.name]), query)
        if response.status_code != 200:
            failures.append(("export", query, response.status_code))
    assert not failures


def test_ledger_list_says_which_filter_is_wrong(client, admin_user):
    login(client, admin_user)
    response = client.get(registry.get("hazards_hazard").url_list, {"found_on__gte": "notadate"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "筛选条件有误" in text and "发现日期起" in text


def test_hazard_api_rejects_a_non_numeric_source_record_in_chinese(client, user):
    login(client, user("chengjian"))
    response = client.post(
        "/hazards/api/",
        {"source_ledger": "urban_floodinspection", "source_record": "abc"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"source_record": ["检查记录编号应为正整数"]}


# --- a broken stored report template --------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "{{ gas.hazards_found|nosuchfilter }}",
        "{{ gas.hazards_found|fixed:abc }}",
        "{{ gas.hazards_found|month }}",
        "{{ general.county_name|wan }}",
    ],
)
def test_a_broken_stored_template_gives_a_readable_error_not_500(client, user, body):
    stored = ReportTemplate.objects.create(name="坏模板", title="标题", body=f"第一段\n{body}")
    client.raise_request_exception = False
    login(client, user("town01"))
    response = client.get(reverse("web:report"), {"template": stored.name})
    assert response.status_code == 200
    text = response.content.decode()
    assert "报告模板“坏模板”有错误，无法生成报告" in text
    assert "第2行" in text
    assert "请联系系统管理员或局领导修改这个模板" in text
    download = client.post(
        f"{reverse('web:report_download')}?{urlencode({'template': stored.name})}",
        {"format": "docx"},
    )
    assert download.status_code == 302  # back to the report page, no job for a broken template
    assert download["Location"].startswith(reverse("web:report"))


def test_a_broken_title_is_reported_as_the_title(client, user):
    stored = ReportTemplate.objects.create(
        name="坏标题", title="{{ gas.hazards_found|md }}", body="正文"
    )
    login(client, user("admin"))
    response = client.get(reverse("web:report"), {"template": stored.name})
    assert response.status_code == 200
    assert "标题：格式 |md" in response.content.decode()


# --- the error pages ------------------------------------------------------------------


@pytest.mark.urls("tests.web.error_urls")
def test_server_error_shows_a_plain_chinese_page_when_debug_is_off(client, admin_user, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    login(client, admin_user)
    response = client.get("/boom/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "系统出错" in text and "住建综合管理平台" in text
    assert "Traceback" not in text and "boom" not in text


def test_not_found_page_is_chinese_and_hides_django_messages(client, admin_user):
    login(client, admin_user)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "找不到页面" in text and "Resolver404" not in text
    response = client.get(reverse("hazards:detail", args=[99999999]))
    assert "找不到页面" in response.content.decode()
    assert "No Hazard matches" not in response.content.decode()


def test_not_found_page_shows_our_own_chinese_message(client, admin_user):
    login(client, admin_user)
    response = client.get("/ledgers/nosuch/")
    assert "没有这个台账" in response.content.decode()


def test_permission_denied_page_is_chinese(client, town_a):
    login(client, town_a)
    response = client.get(reverse("reports:create"))
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()
    assert "只有系统管理员和局领导可以修改报告模板" in response.content.decode()


def test_csrf_failure_page_is_chinese():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "admin", "password": "x"})
    assert response.status_code == 403
    text = response.content.decode()
    assert "页面已过期" in text and "CSRF verification failed" not in text
