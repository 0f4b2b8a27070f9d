"""Real-name registration (条例第二十八条): attendance of a worker not (yet) registered is
a hazard in the shared loop; an ID number is one person however its X is typed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from tests.core.helpers import api_data, editor_for
from tests.domains.wages.helpers import MAY, project_in, setup_for, valid_id, worker_on
from zhujian.core.registry import registry
from zhujian.domains.wages import realname
from zhujian.domains.wages.models import Attendance, Worker
from zhujian.hazards.models import Hazard

pytestmark = pytest.mark.django_db
JULY_1 = dt.date(2022, 7, 1)


def _warnings(project):
    return Hazard.objects.filter(source_id=project.pk, source=realname.source_label(MAY))


def _attend(worker, *days):
    for d in days:
        Attendance.objects.create(worker=worker, day=dt.date(2022, 5, d))


def test_attendance_of_an_unregistered_worker_opens_one_hazard(township):
    project = project_in(township)
    setup_for(project)
    registered = worker_on(project)
    unregistered = worker_on(project, realname_on=None)
    late = worker_on(project, realname_on=dt.date(2022, 5, 10), entered_on=dt.date(2022, 5, 10))
    no_contract = worker_on(project, contract_signed_on=None)
    _attend(registered, 3, 4)
    _attend(unregistered, 3, 4, 5)
    _attend(late, 12)  # after its registration: fine
    _attend(no_contract, 6)
    found = realname.unregistered(MAY)[project.pk]
    assert found == {unregistered.pk: 3, no_contract.pk: 1}
    result = realname.check(MAY, JULY_1)
    hazard = _warnings(project).get()
    assert hazard.line == "wages" and hazard.verified_on is None
    assert unregistered.name in hazard.description and "未办实名登记" in hazard.description
    assert "未办劳动合同" in hazard.description and "第二十八条" in hazard.description
    assert registered.name not in hazard.description
    assert hazard.code in result.opened
    again = realname.check(MAY, JULY_1)  # idempotent
    assert again.unchanged >= 1 and _warnings(project).count() == 1


def test_the_wages_check_command_raises_it(township, capsys):
    project = project_in(township)
    setup_for(project)
    _attend(worker_on(project, realname_on=None), 9)
    call_command("wages", "check", "--month", "2022-05", "--as-of", "2022-07-01")
    assert "未实名登记人员进场" in capsys.readouterr().out
    assert _warnings(project).exists()


def test_an_id_number_typed_with_a_lower_case_x_through_the_api_is_stored_upper_case(
    client, township
):
    """The API used to normalise a copy of the record and save the typed value."""
    ledger = registry.get("wages_worker")
    project = project_in(township)
    model = worker_on(project)
    client.force_login(editor_for(ledger))
    data = api_data(ledger, model)
    data.update(code="TW-API-X", id_number=valid_id("11010519491231002").lower())
    data["bank_card"] = "6228480099999999991"
    response = client.post(f"/api/ledgers/{ledger.name}/", data, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert Worker.objects.get(code="TW-API-X").id_number == "11010519491231002X"
