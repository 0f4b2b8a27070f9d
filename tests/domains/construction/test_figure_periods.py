"""Figures count by the period a record belongs to, as their sentence does (issue 20):
a letter by its 责任年度, the pilot's cameras only."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.domains.construction.helpers import H1, value
from zhujian.domains.construction.models import SafetyAgreement, SiteDevice

pytestmark = pytest.mark.django_db


def _copy(obj, **changes):
    obj.pk = obj.id = None
    obj._state.adding = True
    for name, new in changes.items():
        setattr(obj, name, new)
    obj.derive()
    obj.save()
    return obj


def test_a_2022_letter_signed_in_december_2021_counts_for_2022():
    before = value("construction.agreements")
    letter = SafetyAgreement.objects.filter(year=2022).order_by("pk").first()
    letter.signed_on = dt.date(2021, 12, 20)  # signed before the year it binds
    letter.save()
    assert value("construction.agreements") == before


def test_a_2023_letter_signed_in_2022_does_not_count_for_2022():
    before = value("construction.agreements", H1)
    full_year = value("construction.agreements", type(H1).parse("2022"))
    taken = SafetyAgreement.objects.filter(year=2023).values("enterprise")
    letter = SafetyAgreement.objects.filter(year=2022).exclude(enterprise__in=taken).first()
    _copy(letter, number="ZR-TEST-2023", year=2023, signed_on=dt.date(2022, 6, 20))
    assert value("construction.agreements", H1) == before
    assert value("construction.agreements", type(H1).parse("2022")) == full_year


def test_the_count_is_the_letters_of_the_year_signed_by_the_period_end():
    expected = SafetyAgreement.objects.filter(year=2022, signed_on__lte=H1.end).count()
    assert value("construction.agreements") == expected > 0


def test_only_the_pilots_dome_cameras_are_counted():
    pilot_cameras = SiteDevice.objects.filter(kind="dome_camera", pilot__isnull=False)
    before = value("construction.dome_cameras")
    # a dome camera in service on a site outside the pilot
    outside = dict(code="QJ-TEST-OUTSIDE", mn="", pilot=None, installed_on=dt.date(2022, 3, 1))
    _copy(pilot_cameras.first(), **outside)
    assert value("construction.dome_cameras") == before
    # one more on a pilot site
    _copy(pilot_cameras.first(), code="QJ-TEST-PILOT", mn="", installed_on=dt.date(2022, 3, 1))
    assert value("construction.dome_cameras") == before + 1


def test_dome_cameras_match_the_pilot_devices_of_the_same_sentence():
    active = SiteDevice.objects.filter(installed_on__lte=H1.end).exclude(removed_on__lte=H1.end)
    pilot_cameras = active.filter(kind="dome_camera", pilot__isnull=False).count()
    assert value("construction.dome_cameras") == pilot_cameras > 0
