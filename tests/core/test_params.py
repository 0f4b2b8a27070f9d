"""Declared parameters: resolution order, checks, history, the 参数设置 page, README."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import login
from zhujian.core import params
from zhujian.core.models import ParamValue
from zhujian.domains.civildefense import conf as civildefense
from zhujian.domains.petitions import rules as petition_rules
from zhujian.domains.realestate import rules as realestate_rules
from zhujian.domains.sitemonitor import conf as sitemonitor

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"


def test_a_value_is_resolved_page_then_setting_then_environment_then_default(
    settings, monkeypatch, admin_user
):
    assert petition_rules.value("NOTICE_DAYS") == 15
    monkeypatch.setenv("ZHUJIAN_PETITION_NOTICE_DAYS", "20")
    assert petition_rules.value("NOTICE_DAYS") == 20
    settings.ZHUJIAN_PETITION_NOTICE_DAYS = 25
    assert petition_rules.value("NOTICE_DAYS") == 25
    params.set_value("PETITION_NOTICE_DAYS", "10", user=admin_user, reason="省里规定")
    assert petition_rules.value("NOTICE_DAYS") == 10
    assert params.REGISTRY["PETITION_NOTICE_DAYS"].resolved() == (10, "参数设置")
    params.reset("PETITION_NOTICE_DAYS", user=admin_user, reason="恢复")
    assert petition_rules.value("NOTICE_DAYS") == 25


@pytest.mark.parametrize(
    "key,raw,message",
    [
        ("PETITION_NOTICE_DAYS", "0", "“受理告知期限”不能小于 1日（填写的是 0日）"),
        ("PETITION_NOTICE_DAYS", "15.5", "“受理告知期限”应为整数，“15.5”不是"),
        ("PETITION_NOTICE_DAYS", "十五", "“受理告知期限”应为整数，“十五”不是"),
        ("PETITION_NOTICE_DAYS", "1e999999", "超出范围"),
        (
            "ESCROW_RELEASE_CAPS",
            {"opened": "120"},
            "“预售资金累计拨付上限”的“开户后、主体结构验收前”不能大于 100%",
        ),
        ("ESCROW_RELEASE_CAPS", {"nowhere": "1"}, "“预售资金累计拨付上限”没有这些项：nowhere"),
        ("LPG_CODE_PATTERN", "[0-9", "不是有效的正则表达式"),
    ],
)
def test_a_bad_value_is_refused_in_chinese(key, raw, message, admin_user):
    with pytest.raises(params.ParamError) as refused:
        params.set_value(key, raw, user=admin_user, reason="试")
    assert message in str(refused.value)
    assert not ParamValue.objects.filter(key=key).exists()


def test_a_bad_setting_is_refused_too(settings):
    settings.ZHUJIAN_PETITION_HANDLING_DAYS = -3
    with pytest.raises(params.ParamError, match="办理答复期限"):
        petition_rules.value("HANDLING_DAYS")


def test_a_reason_is_required(admin_user):
    with pytest.raises(params.ParamError, match="修改原因"):
        params.set_value("PETITION_NOTICE_DAYS", "10", user=admin_user, reason=" ")


def test_every_change_keeps_who_when_and_why(admin_user, user):
    params.set_value("PETITION_NOTICE_DAYS", "10", user=admin_user, reason="省文件一")
    params.set_value("PETITION_NOTICE_DAYS", "12", user=user("leader"), reason="省文件二")
    params.reset("PETITION_NOTICE_DAYS", user=admin_user, reason="文件废止")
    rows = list(ParamValue.history.filter(key="PETITION_NOTICE_DAYS").order_by("history_id"))
    assert [(r.history_type, r.value, r.reason) for r in rows] == [
        ("+", 10, "省文件一"),
        ("~", 12, "省文件二"),
        ("-", 12, "文件废止"),
    ]
    assert [r.history_user.username for r in rows] == ["admin", "leader", "admin"]
    assert all(r.history_date for r in rows)


def test_a_page_value_changes_a_petition_deadline(admin_user):
    from zhujian.core.deadlines import due_after

    received = dt.date(2022, 3, 1)
    assert due_after(received, petition_rules.value("NOTICE_DAYS")) == dt.date(2022, 3, 16)
    params.set_value("PETITION_NOTICE_DAYS", "10", user=admin_user, reason="试")
    assert due_after(received, petition_rules.value("NOTICE_DAYS")) == dt.date(2022, 3, 11)


def test_tables_escrow_caps_shelter_ratios_and_dust_limits(admin_user, settings):
    assert realestate_rules.release_cap("structure") == Decimal("95")
    params.set_value("ESCROW_RELEASE_CAPS", {"structure": "90"}, user=admin_user, reason="试")
    assert realestate_rules.release_cap("structure") == Decimal("90")
    assert realestate_rules.release_cap("opened") == Decimal("50")  # the rest as before

    settings.ZHUJIAN_CIVILDEFENSE_SHELTER_RATIOS = {"county": {"residential": "0.07"}}
    assert civildefense.shelter_ratio("county", "residential") == Decimal("0.07")
    assert civildefense.shelter_ratio("county", "public") == Decimal("0.06")

    params.set_value("HJ212_LIMITS", {"a34002": "0.08"}, user=admin_user, reason="本市扬尘标准")
    assert sitemonitor.limits()["a34002"] == 0.08 and sitemonitor.limits()["LA_day"] == 70.0


def test_a_table_from_the_environment_is_json(monkeypatch):
    monkeypatch.setenv("ZHUJIAN_ESCROW_RELEASE_CAPS", '{"opened": 40}')
    assert realestate_rules.release_cap("opened") == Decimal("40")


# --- the page ---------------------------------------------------------------------------------


def test_the_page_lists_every_parameter_with_its_source(client, admin_user):
    page = login(client, admin_user).get("/params/").content.decode()
    for param in params.all_params():
        assert param.label in page
    text = re.sub(r"<[^>]+>", "", page)  # what people read, without the links' addresses
    assert "信访工作条例 第二十三条" in text and "PETITION_NOTICE_DAYS" not in text


def test_a_value_saved_on_the_page_takes_effect_and_shows_in_the_history(client, admin_user):
    login(client, admin_user)
    response = client.post(
        "/params/PETITION_HANDLING_DAYS/", {"value": "45", "reason": "省信访局通知"}
    )
    assert response.status_code == 302
    assert petition_rules.value("HANDLING_DAYS") == 45
    page = client.get("/params/").content.decode()
    assert "办理答复期限：设为 45日" in page and "省信访局通知" in page


def test_a_table_is_edited_one_labelled_field_per_part(client, admin_user):
    login(client, admin_user)
    form = client.get("/params/ESCROW_RELEASE_CAPS/").content.decode()
    assert "主体结构验收后（%）" in form
    data = {f"part:{code}": v for code, v in realestate_rules.DEFAULT_CAPS.items()}
    response = client.post(
        "/params/ESCROW_RELEASE_CAPS/", {**data, "part:opened": "30", "reason": "新办法"}
    )
    assert response.status_code == 302
    assert realestate_rules.release_cap("opened") == Decimal("30")


def test_the_page_refuses_a_value_out_of_bounds(client, admin_user):
    login(client, admin_user)
    response = client.post("/params/PETITION_HANDLING_DAYS/", {"value": "999", "reason": "试"})
    assert response.status_code == 200
    assert "“办理答复期限”不能大于 180日（填写的是 999日）" in response.content.decode()
    assert petition_rules.value("HANDLING_DAYS") == 60


def test_the_page_resets_to_the_default(client, admin_user):
    login(client, admin_user)
    client.post("/params/PETITION_HANDLING_DAYS/", {"value": "45", "reason": "试"})
    response = client.post(
        "/params/PETITION_HANDLING_DAYS/", {"value": "45", "reason": "撤销", "reset": "1"}
    )
    assert response.status_code == 302 and petition_rules.value("HANDLING_DAYS") == 60


def test_people_without_the_permission_cannot_see_or_change_parameters(client, user):
    for name in ("leader", "bangongshi", "town01"):
        login(client, user(name))
        assert client.get("/params/").status_code == 403
        assert "参数设置" not in client.get("/").content.decode()
        response = client.post("/params/PETITION_HANDLING_DAYS/", {"value": "1", "reason": "x"})
        assert response.status_code == 403
    assert petition_rules.value("HANDLING_DAYS") == 60


def test_an_unknown_parameter_is_404(client, admin_user):
    assert login(client, admin_user).get("/params/NO_SUCH/").status_code == 404


# --- declarations and README ----------------------------------------------------------------


def test_the_readme_lists_every_declared_parameter():
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- params:start -->\n(.*?)<!-- params:end -->", text, re.S)
    assert found, "README has no parameter table"
    assert found.group(1) == params.markdown_table(), "run `zhujian params --markdown`"


def test_every_default_passes_its_own_checks_and_every_parameter_has_a_source():
    for param in params.all_params():
        param.clean(param.default)
        assert param.source and param.label and param.group


def test_a_parameter_cannot_be_declared_twice_differently():
    with pytest.raises(ValueError):
        params.declare("信访", "PETITION_NOTICE_DAYS", "别的名字", 15)
