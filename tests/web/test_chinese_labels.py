"""Every label a user sees is Chinese: ledger list filters (labels and choices) and the
description of every figure (security audit, issue 9 item 18)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.apps import apps

from tests.conftest import login
from zhujian.core.filters import filterset_for
from zhujian.core.registry import registry
from zhujian.figures import catalog
from zhujian.figures.periods import Period
from zhujian.reports.coverage import describe

pytestmark = pytest.mark.django_db

LEDGERS = list(registry)

# An English word: two or more ASCII letters with a lower-case one, standing alone (not
# part of a code such as "PM2.5", "JH-CWBY" or an acronym such as "CNG" in a company name).
ENGLISH_WORD = re.compile(r"(?<![A-Za-z0-9_.\-])(?=[A-Za-z]*[a-z])[A-Za-z]{2,}(?![A-Za-z0-9_.\-])")


def english_words(text: str) -> list[str]:
    return ENGLISH_WORD.findall(text)


def test_the_english_word_check_can_fail():
    assert english_words("Toilet type") == ["Toilet", "type"]
    assert english_words("未知 Unknown") == ["Unknown"]
    assert english_words("PM2.5 浓度、城关CNG加气站、JH-CWBY、A级") == []


def _filter_form(html: str) -> str:
    return re.search(r'<form class="filters" method="get" role="search">(.*?)</form>', html, re.S)[
        1
    ]


@pytest.mark.parametrize("ledger", LEDGERS, ids=[lg.name for lg in LEDGERS])
def test_list_page_filters_are_chinese(client, admin_user, ledger):
    response = login(client, admin_user).get(ledger.url_list)
    form = _filter_form(response.content.decode())
    labels = [unescape(t).strip() for t in re.findall(r"<label[^>]*>([^<]*)<", form)]
    options = [unescape(t).strip() for t in re.findall(r"<option[^>]*>([^<]*)</option>", form)]
    assert labels and all(labels)
    assert not [w for text in labels + options for w in english_words(text)], (labels, options)
    assert "未知" not in options


@pytest.mark.parametrize("ledger", LEDGERS, ids=[lg.name for lg in LEDGERS])
def test_every_filter_is_labelled_with_the_fields_verbose_name(ledger):
    form = filterset_for(ledger)(None, queryset=ledger.model._default_manager.none()).form
    for name in ledger.filters:
        verbose = ledger.field_label(name)
        shown = [str(f.label) for key, f in form.fields.items() if key.split("__")[0] == name]
        assert shown and all(label.startswith(verbose) for label in shown), (name, shown)


BOOLEAN_FILTERS = [
    (lg, name)
    for lg in LEDGERS
    for name in lg.filters
    if lg.field(name).get_internal_type() == "BooleanField"
]


def test_there_are_yes_no_filters_to_check():
    assert len(BOOLEAN_FILTERS) >= 5


@pytest.mark.parametrize(
    ("ledger", "name"), BOOLEAN_FILTERS, ids=[f"{lg.name}.{n}" for lg, n in BOOLEAN_FILTERS]
)
def test_yes_no_filters_offer_all_yes_no(client, admin_user, ledger, name):
    form = filterset_for(ledger)(None, queryset=ledger.model._default_manager.none()).form
    assert [str(label) for _, label in form.fields[name].widget.choices] == ["全部", "是", "否"]
    login(client, admin_user)
    model = ledger.model._default_manager
    for value, expected in (("true", True), ("false", False)):
        page = client.get(ledger.url_list, {name: value})
        assert page.status_code == 200
        assert f'<option value="{value}" selected>' in page.content.decode()
        api = client.get(f"/api/ledgers/{ledger.name}/", {name: value})
        assert api.json()["count"] == model.filter(**{name: expected}).count()
    everything = client.get(f"/api/ledgers/{ledger.name}/", {name: ""})
    assert everything.json()["count"] == model.count()


# --- figure descriptions ----------------------------------------------------------------

FIELD_NAMES = {
    f.name
    for model in apps.get_models()
    if model._meta.app_label in {"core", "hazards", "party", "plans", "urban", "rural"}
    for f in model._meta.get_fields()
    if len(f.name) > 2
}
IDENTIFIER = re.compile(r"(?<![A-Za-z0-9_\-])[A-Za-z_][A-Za-z0-9_.]*(?![A-Za-z0-9_\-])")
FIGURES = catalog.all_figures()


def raw_names(text: str) -> list[str]:
    """Model field names, snake_case words and figure ids standing alone in ``text``."""
    found = []
    for token in IDENTIFIER.findall(text):
        if token in FIELD_NAMES or "_" in token or catalog.exists(token):
            found.append(token)
    return found


def test_the_raw_name_check_can_fail():
    assert raw_names("燃气月度供应.natural_gas 合计") == ["natural_gas"]
    assert raw_names("由 gas.hazards_found 计算") == ["gas.hazards_found"]
    assert raw_names("“任务编号”为“2022H2-cleanheat-accept”") == []


@pytest.mark.parametrize("figure", FIGURES, ids=[f.id for f in FIGURES])
def test_figure_descriptions_name_no_raw_model_fields(figure):
    for period in (None, Period.parse("2022H1"), Period.parse("@2022-06-30")):
        text = describe(figure, period)
        assert text.startswith(figure.label)
        assert not raw_names(text), text
        assert not english_words(re.sub(r"“[^”]*”", "", text)), text  # quoted: data values


def test_descriptions_use_verbose_names_through_relations_and_conditions():
    assert "燃气月度供应的“天然气供应量（万立方米）”合计" in describe(
        catalog.get("gas.supply_volume")
    )
    assert "“项目”带有报告标记“箱涵立交”" in describe(catalog.get("municipal.underpass_percent"))
    assert "“已改厕”为否" in describe(catalog.get("toilet.unrenovated_households"))
    assert "“整改期限”早于期末" in describe(catalog.get("gas.hazards_overdue"))
    rate = describe(catalog.get("gas.hazards_rate"))
    assert "“燃气期内发现且已整改的隐患”占“燃气排查发现隐患”的百分比" in rate


def test_drill_down_page_describes_the_figure_for_its_period(client, admin_user):
    login(client, admin_user)
    response = client.get("/figures/gas.hazards_overdue/records/", {"period": "2022H1"})
    text = response.content.decode()
    assert "“整改期限”早于2022年6月30日" in text
    assert "notice_deadline" not in text
