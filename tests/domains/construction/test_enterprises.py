"""Enterprises by 统一社会信用代码, licence expiry, safety agreements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.domains.construction.helpers import messages, value
from zhujian.domains.construction.models import Enterprise, Licence, SafetyAgreement
from zhujian.domains.construction.validators import check_character, uscc_error

pytestmark = pytest.mark.django_db


def test_check_character_of_a_published_code():
    assert check_character("91350100M000100Y4") == "3"
    assert uscc_error("91350100M000100Y43") is None


def test_a_wrong_check_character_is_refused_with_the_right_one():
    assert uscc_error("91350100M000100Y44") == "统一社会信用代码校验位错误（第18位应为3），请核对"


def test_codes_of_the_wrong_length_or_alphabet_are_refused():
    assert "应为18位" in uscc_error("9135010")
    assert "不允许的字符：O" in uscc_error("91350100MO00100Y43")


def test_every_demo_enterprise_has_a_valid_code():
    assert all(
        uscc_error(code) is None for code in Enterprise.objects.values_list("uscc", flat=True)
    )


def test_enterprise_with_a_bad_code_names_the_field():
    firm = Enterprise.objects.first()
    firm.uscc = firm.uscc[:17] + ("1" if firm.uscc[17] != "1" else "2")
    assert "校验位错误" in messages(firm)["uscc"][0]


def safety_licence(**kw) -> Licence:
    firm = Enterprise.objects.filter(kind="general").order_by("pk").first()
    fields = {
        "enterprise": firm,
        "org_unit_id": firm.org_unit_id,
        "kind": "safety",
        "number": "TEST-AQ-1",
        "scope": "建筑施工",
        "issued_on": dt.date(2019, 3, 1),
        "expires_on": dt.date(2022, 2, 28),
    }
    fields.update(kw)
    return Licence(**fields)


def test_safety_licence_is_valid_at_most_three_years():
    errors = messages(safety_licence(expires_on=dt.date(2022, 3, 2)))
    assert "安全生产许可证有效期为3年" in errors["expires_on"][0]


def test_a_licence_past_its_expiry_is_expired():
    licence = safety_licence()
    assert licence.is_expired(dt.date(2022, 3, 1))
    assert not licence.is_expired(dt.date(2022, 2, 28))


def test_an_expired_unrenewed_safety_licence_is_flagged_at_the_period_end():
    before = value("construction.licences_expired")
    firm = Enterprise.objects.create(
        org_unit_id=Enterprise.objects.first().org_unit_id,
        uscc="91350100M000100Y43",
        name="测试过期建设有限公司",
        kind="general",
    )
    safety_licence(enterprise=firm, org_unit_id=firm.org_unit_id).save()
    assert value("construction.licences_expired") == before + 1


def test_a_renewed_licence_is_not_flagged():
    firm = Enterprise.objects.create(
        org_unit_id=Enterprise.objects.first().org_unit_id,
        uscc="91350100M000100Y43",
        name="测试延续建设有限公司",
        kind="general",
    )
    before = value("construction.licences_expired")
    safety_licence(enterprise=firm, org_unit_id=firm.org_unit_id).save()
    safety_licence(
        enterprise=firm,
        org_unit_id=firm.org_unit_id,
        number="TEST-AQ-2",
        issued_on=dt.date(2022, 3, 1),
        expires_on=dt.date(2025, 2, 28),
    ).save()
    assert value("construction.licences_expired") == before


def test_the_enterprise_page_flags_an_expired_licence(client, user):
    firm = Enterprise.objects.create(
        org_unit_id=Enterprise.objects.first().org_unit_id,
        uscc="91350100M000100Y43",
        name="测试页面建设有限公司",
        kind="general",
    )
    licence = safety_licence(enterprise=firm, org_unit_id=firm.org_unit_id)
    licence.save()
    client.force_login(user("jianzhu"))
    page = client.get(reverse("web:ledger_detail", args=["construction_enterprise", firm.pk]))
    assert "已过期" in page.content.decode()
    licence.expires_on = dt.date.today() + dt.timedelta(days=30)
    licence.issued_on = licence.expires_on.replace(year=licence.expires_on.year - 3)
    licence.save()
    page = client.get(reverse("web:ledger_detail", args=["construction_enterprise", firm.pk]))
    assert "已过期" not in page.content.decode() and "有效" in page.content.decode()


def test_agreement_signed_outside_its_year_is_refused():
    agreement = SafetyAgreement.objects.first()
    agreement.signed_on = dt.date(agreement.year + 1, 1, 5)
    assert messages(agreement)["signed_on"] == [
        f"签订日期应在{agreement.year - 1}年或{agreement.year}年内"
    ]
