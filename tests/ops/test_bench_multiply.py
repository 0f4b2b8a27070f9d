"""Issue 28: ``bench report_build`` crashed at 10× (IndexError) cloning a ledger whose
records point at records of the same ledger (a petition's previous case). Clones now
point at the same round's clone of the record their original points at."""

from __future__ import annotations

import pytest
from bench.report_build import multiply

from zhujian.domains.petitions.models import PetitionCase

pytestmark = pytest.mark.django_db


def test_cloning_relinks_self_references_within_each_round():
    repeats = {
        c.code: PetitionCase.objects.get(pk=c.previous_case_id).code
        for c in PetitionCase.objects.exclude(previous_case=None)
    }
    assert repeats, "the demo has repeat petitions: the case this test is about"
    before = PetitionCase.objects.count()
    multiply(3)
    assert PetitionCase.objects.count() == 3 * before
    for code, previous in repeats.items():
        for round_no in (1, 2):
            clone = PetitionCase.objects.get(code=f"{code}~{round_no}")
            assert clone.previous_case.code == f"{previous}~{round_no}"
