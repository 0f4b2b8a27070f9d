"""A township user cannot learn whether another township's code exists (issue 21, #3).

Over every ledger township users write (their lines, and the shared hazard ledger), on
every input path (form, API, import): a create with a code another township's record
holds is answered exactly as one with a free code, and a same-township duplicate is still
refused with a Chinese message naming the field (the row and column in a file). See
``zhujian.core.codes`` and docs/decisions/audit-3.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db import models, transaction
from django.urls import reverse

from tests.core.helpers import api_data, form_data
from zhujian.core import codes, lines, workflows
from zhujian.core.models import OrgUnit, Role, User
from zhujian.core.registry import Ledger, registry
from zhujian.imports.columns import build_columns
from zhujian.imports.engine import import_file
from zhujian.imports.excel import export_rows

pytestmark = pytest.mark.django_db


def _township_writes(ledger: Ledger) -> bool:
    return lines.get_line(ledger.line).township_reports or bool(ledger.line_field)


WRITTEN = [lg for lg in registry if _township_writes(lg)]
PER_TOWNSHIP = [(lg, name) for lg in WRITTEN for name in lg.township_codes]
ASSIGNED = [(lg, name) for lg in WRITTEN for name in lg.assigned_codes]


def _ids(pairs: list[tuple[Ledger, str]]) -> list[str]:
    return [f"{lg.name}.{name}" for lg, name in pairs]


# --- the declarations cover every code township users can type ----------------------------


def _contained(ledger: Ledger, fields: tuple[str, ...]) -> bool:
    """A compound uniqueness that includes the record's unit, its township or a parent
    record the user must be able to see cannot tell of another township's records."""
    for name in fields:
        f = ledger.field(name)
        if name in ("org_unit", codes.FIELD):
            return True
        if f.is_relation and registry.find(f.related_model) is not None:
            return True
    return False


@pytest.mark.parametrize("ledger", WRITTEN, ids=[lg.name for lg in WRITTEN])
def test_every_code_township_users_type_is_scoped_or_assigned(ledger):
    declared = {*ledger.township_codes, *ledger.assigned_codes}
    opts = ledger.model._meta
    for f in opts.concrete_fields:
        if f.unique and not f.primary_key and f.editable:
            assert f.name in ledger.assigned_codes, f"{ledger.name}.{f.name}: global and typed"
    for constraint in opts.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            fields = tuple(constraint.fields)
            typed = [n for n in fields if n != codes.FIELD]
            assert _contained(ledger, fields) or set(typed) <= declared, (
                f"{ledger.name}: {constraint.name} could tell of another township's record"
            )
    if ledger.township_codes:
        assert ledger.natural_key[0] == codes.FIELD  # imports match within the township


def test_the_ledgers_township_users_write_are_the_ones_audited():
    """The 25 ledgers of the audit: none has left the list unnoticed."""
    assert len(WRITTEN) == 25
    assert {lg.name for lg, _ in ASSIGNED} == {"housing_allocationround"}


# --- helpers -----------------------------------------------------------------------------


def _township_user(township: OrgUnit, ledger: Ledger, line: str | None = None) -> User | None:
    for user in User.objects.filter(role=Role.TOWNSHIP, org_unit=township, is_active=True):
        if (line or ledger.line) in (user.business_lines or []):
            return user
    return None


def _setting(ledger: Ledger) -> tuple[User, models.Model, models.Model]:
    """A township user, a record of its township to copy (the template: the one with the
    fewest workflow steps done), and a record of another township (whose code the user
    will type)."""
    manager = ledger.model._default_manager
    found: list[tuple[int, int, User, models.Model, models.Model]] = []
    for template in manager.select_related("org_unit").order_by("pk")[:600]:
        township = template.org_unit.township()
        if township is None:
            continue
        line = getattr(template, ledger.line_field) if ledger.line_field else None
        user = _township_user(township, ledger, line)
        if user is None or not _links_inside(ledger, template, township):
            continue
        other = (
            manager.exclude(org_unit__path__startswith=township.path)
            .filter(org_unit__path__regex=r"^\d{12}/\d{12}/")
            .select_related("org_unit")
            .order_by("pk")
        )
        foreign = next((c for c in other[:50] if c.org_unit.township() is not None), None)
        if foreign is not None:
            found.append((_steps_done(ledger, template), template.pk, user, template, foreign))
    if found:
        _, _, user, template, foreign = min(found, key=lambda f: f[:2])
        return user, template, foreign
    if ledger.line_field:  # the shared hazard ledger: the demo's are the bureau's lines
        user = User.objects.get(username="town01")
        template = min(manager.order_by("pk")[:200], key=lambda o: _steps_done(ledger, o))
        foreign = manager.exclude(pk=template.pk).order_by("pk").first()
        template.org_unit = user.org_unit.children.first() or user.org_unit
        setattr(template, ledger.line_field, user.business_lines[0])
        template.save()
        foreign.org_unit = OrgUnit.objects.townships().exclude(pk=user.org_unit_id).first()
        foreign.save()
        return user, template, foreign
    pytest.fail(f"{ledger.name}: the demo has no record of two townships")


def _steps_done(ledger: Ledger, obj: models.Model) -> int:
    workflow = workflows.registry.for_model(ledger.model)
    if workflow is None:
        return 0
    return sum(1 for step in workflow.steps if getattr(obj, step.done, None))


def _links_inside(ledger: Ledger, obj: models.Model, township: OrgUnit) -> bool:
    """Every record ``obj`` links to lies in ``township`` (the user can name it)."""
    for name in ledger.form_fields or ():
        f = ledger.field(name)
        if f.is_relation and registry.find(f.related_model) is not None:
            linked = getattr(obj, name)
            if linked is not None and not linked.org_unit.path.startswith(township.path):
                return False
    return True


def _later_steps(ledger: Ledger) -> set[str]:
    """The fields of the workflow steps a township does not take (a department's notice,
    acceptance, approval): a new record of a township has none of them."""
    workflow = workflows.registry.for_model(ledger.model)
    if workflow is None:
        return set()
    return {
        n
        for step in workflow.steps
        if not isinstance(step.actor, workflows.RecordTownship)
        for n in step.all_fields()
    }


def _first_step_only(ledger: Ledger, data: dict[str, Any]) -> dict[str, Any]:
    """A new record as a township enters it: the other actors' steps left out."""
    later = _later_steps(ledger)
    out = {k: v for k, v in data.items() if k not in later}
    for name in later:  # a field a form asks for keeps its default
        f = ledger.field(name)
        if f.has_default() and not callable(f.default) and not isinstance(f.default, bool):
            out[name] = str(f.default)
    return out


def _undone(act: Callable[[], Any]) -> Any:
    """Do ``act`` and roll its writes back (each attempt starts from the same data)."""
    sid = transaction.savepoint_create()
    try:
        return act()
    finally:
        transaction.savepoint_rollback(sid)


def _form_errors(response: Any) -> Any:
    form = (response.context or {}).get("form")
    return form.errors if form is not None else response.status_code


def _free(like: str) -> str:
    """A code nobody holds, in the format of ``like`` (its tail replaced by digits)."""
    digits = f"{uuid.uuid4().int % 10**6:06d}"
    return f"{like[:-6]}{digits}" if len(like) > 6 else f"{like}{digits}"[:12]


def _created(ledger: Ledger, user: User, name: str, value: str) -> bool:
    township = user.org_unit
    return ledger.model._default_manager.filter(
        **{name: value, "org_unit__path__startswith": township.path}
    ).exists()


# --- per-township codes --------------------------------------------------------------------


@pytest.mark.parametrize(("ledger", "name"), PER_TOWNSHIP, ids=_ids(PER_TOWNSHIP))
def test_on_the_form_another_townships_code_is_as_free_as_an_unused_one(client, ledger, name):
    user, template, foreign = _setting(ledger)
    client.force_login(user)
    url = reverse("web:ledger_create", args=[ledger.name])
    data = _first_step_only(ledger, form_data(ledger, template))

    def create(value: str) -> tuple[int, bool]:
        def act() -> tuple[int, bool]:
            response = client.post(url, {**data, name: value})
            assert response.status_code == 302, _form_errors(response)
            return response.status_code, _created(ledger, user, name, value)

        return _undone(act)

    taken = getattr(foreign, name)
    assert create(taken) == create(_free(getattr(foreign, name))) == (302, True)
    # A same-township duplicate is refused, naming the field.
    response = client.post(url, {**data, name: getattr(template, name)})
    assert response.status_code == 400
    assert "本乡镇已有" in response.content.decode()
    assert response.context["form"].errors[name]


@pytest.mark.parametrize(("ledger", "name"), PER_TOWNSHIP, ids=_ids(PER_TOWNSHIP))
def test_through_the_api_another_townships_code_is_as_free_as_an_unused_one(client, ledger, name):
    user, template, foreign = _setting(ledger)
    client.force_login(user)
    base = f"/api/ledgers/{ledger.name}/"
    data = _first_step_only(ledger, api_data(ledger, template))

    def create(value: str) -> tuple[int, bool]:
        def act() -> tuple[int, bool]:
            response = client.post(base, {**data, name: value}, content_type="application/json")
            assert response.status_code == 201, response.json()
            return response.status_code, _created(ledger, user, name, value)

        return _undone(act)

    assert create(getattr(foreign, name)) == create(_free(getattr(foreign, name))) == (201, True)
    response = client.post(
        base, {**data, name: getattr(template, name)}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "本乡镇已有" in response.json()[name][0]


def _one_row_file(
    tmp_path: Path, ledger: Ledger, template: models.Model, changes: list[dict[str, Any]]
) -> Path:
    """The template exported, then one row per entry of ``changes`` (header → value)."""
    path = tmp_path / f"{uuid.uuid4().hex}.xlsx"
    export_rows(ledger, ledger.model._default_manager.filter(pk=template.pk), path)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    row = [c.value for c in ws[2]]
    for name in _later_steps(ledger):  # as its first actor enters it
        if ledger.field_label(name) in headers:
            row[headers.index(ledger.field_label(name))] = None
    ws.delete_rows(2)
    for change in changes:
        values = list(row)
        for header, value in change.items():
            values[headers.index(header)] = value
        ws.append(values)
    wb.save(path)
    return path


@pytest.mark.parametrize(("ledger", "name"), PER_TOWNSHIP, ids=_ids(PER_TOWNSHIP))
def test_in_an_import_another_townships_code_is_as_free_as_an_unused_one(tmp_path, ledger, name):
    user, template, foreign = _setting(ledger)
    header = ledger.field_label(name)

    def imported(value: str) -> tuple[bool, int, int, list[str], bool]:
        def act() -> tuple[bool, int, int, list[str], bool]:
            path = _one_row_file(tmp_path, ledger, template, [{header: value}])
            result = import_file(ledger, path, user)
            errors = [e.reason for e in result.errors]
            return (
                result.ok,
                result.created,
                result.updated,
                errors,
                _created(ledger, user, name, value),
            )

        return _undone(act)

    assert (
        imported(getattr(foreign, name))
        == imported(_free(getattr(foreign, name)))
        == (True, 1, 0, [], True)
    )
    # Two rows of one file with the same code (in the same township): refused, by row.
    value = _free(getattr(foreign, name))
    path = _one_row_file(tmp_path, ledger, template, [{header: value}, {header: value}])
    result = import_file(ledger, path, user)
    assert not result.ok and result.created == 0
    (error,) = result.errors
    assert (error.row, error.column) == (3, header)
    assert "与第2行重复" in error.reason


# --- county-wide codes the platform assigns -------------------------------------------------


@pytest.mark.parametrize(("ledger", "name"), ASSIGNED, ids=_ids(ASSIGNED))
def test_a_township_user_cannot_type_an_assigned_code_taken_or_free(client, tmp_path, ledger, name):
    user, template, foreign = _setting(ledger)
    client.force_login(user)
    taken, free = getattr(foreign, name), _free(getattr(foreign, name))
    manager = ledger.model._default_manager

    # Form: the field is read-only; a typed value is ignored and a code assigned.
    url = reverse("web:ledger_create", args=[ledger.name])
    data = _first_step_only(ledger, form_data(ledger, template))

    def by_form(value: str) -> tuple[int, bool, bool]:
        def act() -> tuple[int, bool, bool]:
            before = set(manager.values_list("pk", flat=True))
            response = client.post(url, {**data, name: value})
            new = manager.exclude(pk__in=before)
            assigned = [getattr(o, name) for o in new]
            return response.status_code, len(assigned) == 1, value in assigned

        return _undone(act)

    assert by_form(taken) == by_form(free) == (302, True, False)

    # API: the same refusal for both; left out, a code is assigned.
    base = f"/api/ledgers/{ledger.name}/"
    payload = {k: v for k, v in api_data(ledger, template).items() if k != name}

    def by_api(extra: dict[str, Any]) -> tuple[int, Any]:
        def act() -> tuple[int, Any]:
            response = client.post(base, {**payload, **extra}, content_type="application/json")
            body = response.json()
            return response.status_code, body if response.status_code != 201 else None

        return _undone(act)

    refused = by_api({name: taken})
    assert refused == by_api({name: free})
    assert refused[0] == 400 and "由系统自动分配" in refused[1][name][0]
    assert by_api({})[0] == 201

    # Import: the same refusal for both, by row and column; blank, a code is assigned.
    header = ledger.field_label(name)

    def by_import(value: str) -> tuple[bool, int, list[tuple[int, str, str]]]:
        def act() -> tuple[bool, int, list[tuple[int, str, str]]]:
            path = _one_row_file(tmp_path, ledger, template, [{header: value}])
            result = import_file(ledger, path, user)
            return result.ok, result.created, [(e.row, e.column, e.reason) for e in result.errors]

        return _undone(act)

    answer = by_import(taken)
    assert answer == by_import(free)
    assert answer[:2] == (False, 0) and answer[2][0][:2] == (2, header)
    blank = by_import(None)
    assert blank[:2] == (True, 1), blank


# --- the same class elsewhere: a linked record named by its code ----------------------------


def test_a_linked_record_is_found_by_its_code_within_the_users_township(town_a):
    """A household's 片区 is named by its code: another township's area with the same code
    is neither found nor mentioned, and the user's own is found."""
    from zhujian.domains.housing.models import DemolitionArea

    ledger = registry.get("housing_demolitionhousehold")
    column = next(c for c in build_columns(ledger, {}, town_a) if c.field_name == "area")
    mine = DemolitionArea.objects.filter(org_unit__path__startswith=town_a.org_unit.path).first()
    theirs = DemolitionArea.objects.exclude(org_unit__path__startswith=town_a.org_unit.path)
    foreign = theirs.exclude(code=mine.code).first()
    assert column.parse(mine.code) == mine
    with pytest.raises(ValueError) as refused_taken:
        column.parse(foreign.code)
    with pytest.raises(ValueError) as refused_free:
        column.parse("NO-SUCH-AREA")
    assert str(refused_taken.value).replace(foreign.code, "X") == str(refused_free.value).replace(
        "NO-SUCH-AREA", "X"
    )


def test_a_county_user_names_the_township_of_a_code_two_townships_hold(user):
    from zhujian.domains.housing.models import DemolitionArea

    staff = User.objects.filter(role=Role.ADMIN).first() or user("admin")
    ledger = registry.get("housing_demolitionhousehold")
    first, second = (
        DemolitionArea.objects.select_related("org_unit").order_by("pk")[0],
        DemolitionArea.objects.exclude(township=DemolitionArea.objects.order_by("pk")[0].township)
        .order_by("pk")
        .first(),
    )
    second.code = first.code
    second.save()
    column = next(c for c in build_columns(ledger, {}, staff) if c.field_name == "area")
    with pytest.raises(ValueError, match="在多个乡镇都有"):
        column.parse(first.code)
    assert column.parse(f"{second.township.name}/{first.code}") == second


def test_the_township_column_follows_the_unit_on_every_write_path(town_a):
    """Written by save(), by bulk inserts that skip it, and after a move to another unit."""
    from zhujian.domains.rural.models import SmallWork

    work = SmallWork.objects.select_related("org_unit").first()
    assert work.township_id == work.org_unit.township().pk
    stored = SmallWork.objects.filter(pk=work.pk).values_list("township_id", flat=True).get()
    assert stored == work.org_unit.township().pk
    elsewhere = OrgUnit.objects.townships().exclude(pk=work.township_id).first()
    SmallWork.objects.filter(pk=work.pk).update(org_unit=elsewhere)  # a path without save()
    moved = SmallWork.objects.get(pk=work.pk)
    moved.save()
    assert SmallWork.objects.filter(pk=work.pk).values_list("township_id", flat=True).get() == (
        elsewhere.pk
    )
    copy = SmallWork.objects.get(pk=work.pk)
    copy.pk = None
    copy.code = "BULK-1"
    copy.org_unit = work.org_unit
    (made,) = SmallWork.objects.bulk_create([copy])
    assert SmallWork.objects.filter(pk=made.pk).values_list("township_id", flat=True).get() == (
        work.org_unit.township().pk
    )


def test_a_village_moved_to_another_township_takes_its_records_codes_along():
    from zhujian.domains.rural.models import ToiletHousehold

    household = ToiletHousehold.objects.select_related("org_unit").first()
    village = household.org_unit
    assert village.kind in ("village", "community")
    elsewhere = OrgUnit.objects.townships().exclude(pk=village.parent_id).first()
    village.parent = elsewhere
    village.save()
    stored = ToiletHousehold.objects.filter(org_unit=village).values_list("township_id", flat=True)
    assert set(stored) == {elsewhere.pk}


def test_an_import_finds_the_township_of_its_rows_without_a_query_per_row(tmp_path):
    """The township of each row comes from one map of units in memory: 56 more rows cost
    a few more insert statements (SQLite bounds a statement's parameters), not 56 queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ledger = registry.get("rural_toilethousehold")
    user, template, _foreign = _setting(ledger)
    header = ledger.field_label("household_code")
    codes.township_id(template.org_unit_id)  # the map, built once per process

    def queries(n: int) -> int:
        def act() -> int:
            changes = [{header: _free(template.household_code)} for _ in range(n)]
            path = _one_row_file(tmp_path, ledger, template, changes)
            with CaptureQueriesContext(connection) as seen:
                result = import_file(ledger, path, user)
            assert result.ok and result.created == n, result.errors[:3]
            return len(seen)

        return _undone(act)

    assert queries(60) - queries(4) <= 4
