"""The annual 城乡建设统计 returns: cells equal their figures, every 审核关系 can fail,
the demo passes them all, the scope gate holds, and the command writes both returns."""

from __future__ import annotations

import io
import random
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from tests.conftest import login
from zhujian.core import params
from zhujian.core.models import OrgUnit, User
from zhujian.demo.county import DemoContext
from zhujian.domains.urban.models import WaterSupply
from zhujian.figures import catalog
from zhujian.figures.periods import Period
from zhujian.statistics import checks, compute, conf, coverage, demo, scopes, status, tables
from zhujian.statistics.models import AnnualBase, CityFacility, CityOperation, GreenSpace
from zhujian.statistics.render import to_html, to_xlsx

YEAR = 2022
PERIOD = Period.parse(str(YEAR))


def test_declarations_are_sound():
    assert tables.validate() == []
    for scope in tables.SCOPES:
        for item in coverage.items(scope):
            assert item.source in coverage.LABELS
            if item.row.figure is None:
                assert item.row.missing


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["county", "town"])
def test_every_cell_equals_its_figure(scope):
    filled = compute.fill(scope, YEAR)
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(filled)))
    checked = 0
    for table in filled.tables:
        sheet = book[table.number]
        for i, row in enumerate(table.rows, start=9):
            assert sheet.cell(i, 1).value.strip().endswith(row.name)
            for j, column in enumerate(filled.columns, start=4):
                cell = sheet.cell(i, j).value
                if row.figure is None:
                    assert cell is None
                    continue
                fresh = catalog.evaluate([row.figure], PERIOD, units=column.units)
                expected = catalog.format_number(fresh[row.figure].value, row.decimals)
                assert cell is not None, (table.number, row.code, column.label)
                assert Decimal(str(cell)) == Decimal(expected), (table.number, row.code)
                checked += 1
    assert checked > (40 if scope == "county" else 100)


@pytest.mark.django_db
def test_cells_agree_with_the_ledgers_summed_by_hand():
    filled = compute.fill("county", YEAR)
    seat = filled.columns[0]
    paths = [u.path for u in seat.units]

    def inside(qs):
        return [
            o for o in qs.select_related("org_unit") if o.org_unit.path.startswith(tuple(paths))
        ]

    supply = sum(o.volume for o in inside(WaterSupply.objects.filter(month__year=YEAR)))
    assert filled.value(seat, "water.supply_volume") == supply
    people = sum(o.resident_population for o in inside(AnnualBase.objects.filter(as_of__year=YEAR)))
    assert filled.text(seat, tables.TABLES["县综2表"].row("2")) == (
        f"{Decimal(people) / 10000:.2f}"
    )
    towns = {c.key for c in compute.fill("town", YEAR).columns}
    assert not towns & {u.code for u in seat.units}  # no township counted in both returns
    assert all(u.kind in ("town", "township") for u in scopes.towns())


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["county", "town"])
def test_the_demo_county_passes_every_check(scope):
    assert checks.run(compute.fill(scope, YEAR)) == []


# --- every check can fail ------------------------------------------------------------


def _break(check: checks.Check, column: compute.Column) -> None:
    """Make the data behind ``check`` wrong in ``column``: the first ledger field its left
    side sums is multiplied (×2 for a year-on-year check, ×100 otherwise); a price is set
    out of range."""
    if check.left.startswith("stat.price_"):
        params.set_value(conf.PRICES.key, {f"{YEAR}.water_resident": "80"}, user=None,
                         reason="测试")  # fmt: skip
        params.invalidate()
        return
    for fid, back in catalog.expand([check.left]):
        fig = catalog.get(fid)
        if back or not isinstance(fig, catalog.Aggregate) or fig.func != "sum":
            continue
        qs = catalog.records(fid, PERIOD, units=column.units)
        if check.kind == "yoy" and fig.mode == "asof":
            # a stock: half of it dated into this year, so last year had half as much
            half = list(qs.order_by("pk").values_list("pk", flat=True))[::2]
            assert qs.filter(pk__in=half).update(**{fig.date: PERIOD.start}) > 0
            return
        if check.kind == "yoy":
            qs = qs.filter(**{f"{fig.date}__gte": PERIOD.start}) if fig.date else qs
        factor = 2 if check.kind == "yoy" else 100
        assert qs.update(**{fig.field: F(fig.field) * factor}) > 0
        return
    raise AssertionError(f"no data to break for {check.code}")


@pytest.mark.django_db
@pytest.mark.parametrize("check", checks.CHECKS, ids=lambda c: c.code)
def test_every_check_can_fail(check):
    filled = compute.fill(check.scope, YEAR)
    column = filled.columns[0]
    _break(check, column)
    findings = [f for f in checks.run(compute.fill(check.scope, YEAR)) if f.check == check]
    assert findings, f"{check.code} did not fail"
    finding = next(f for f in findings if f.column.key == column.key)
    assert finding.blocking
    assert finding.message.startswith(column.label)
    assert finding.cells  # names the cells …
    if not check.left.startswith("stat.price_"):
        assert finding.records  # … and the records behind them
        assert all(r.url.startswith("/") for r in finding.records)


@pytest.mark.django_db
def test_a_failing_check_blocks_marking_ready_and_an_explanation_clears_a_yoy(admin_user):
    filled = compute.fill("county", YEAR)
    status.mark_ready(filled, admin_user, {})
    assert status.current(filled).ready
    yoy = next(c for c in checks.CHECKS if c.code == "X22")
    _break(yoy, filled.columns[0])
    filled = compute.fill("county", YEAR)
    with pytest.raises(status.NotReady, match=r"X22.*供水量"):
        status.mark_ready(filled, admin_user, {})
    status.mark_ready(filled, admin_user, {"X22:seat": "新水厂投产，供水范围扩大"})
    assert status.current(filled).explanations == {"X22:seat": "新水厂投产，供水范围扩大"}
    hard = next(c for c in checks.CHECKS if c.code == "X04")
    _break(hard, filled.columns[0])
    with pytest.raises(status.NotReady, match="X04"):
        status.mark_ready(compute.fill("county", YEAR), admin_user, {"X04:seat": "说明无效"})


# --- the returns follow the demo seed --------------------------------------------------


def _reseed(seed: int) -> None:
    for model in (AnnualBase, GreenSpace, CityFacility, CityOperation):
        model.objects.all().delete()
    county = scopes.county_root()
    ctx = DemoContext(
        seed=seed,
        size="demo",
        rng=random.Random(seed),
        county=county,
        bureau=OrgUnit.objects.get(kind="bureau"),
        townships=list(OrgUnit.objects.townships().order_by("sort", "path")),
        villages={},
        departments={"chengjian": OrgUnit.objects.get(name="城建股")},
        users={"admin": User.objects.get(username="admin")},
    )
    demo.annual_base(ctx)
    demo.green_spaces(ctx)
    demo.facilities(ctx)
    demo.operations(ctx)


@pytest.mark.django_db
def test_the_returns_change_with_the_demo_seed():
    def cells(scope):
        filled = compute.fill(scope, YEAR)
        return {
            (t.number, r.code, c.key): filled.text(c, r)
            for t in filled.tables
            for r in t.rows
            for c in filled.columns
        }

    before = {s: cells(s) for s in ("county", "town")}
    _reseed(8)
    after = {s: cells(s) for s in ("county", "town")}
    for scope in ("county", "town"):
        changed = [k for k in before[scope] if before[scope][k] != after[scope][k]]
        assert len(changed) > 10, scope
    assert checks.run(compute.fill("county", YEAR)) == []  # another seed passes too


# --- scope gate ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_township_user_opens_only_its_own_towns_return(client, town_b, user):
    other = OrgUnit.objects.filter(kind="town").exclude(pk=town_b.org_unit_id).first()
    login(client, town_b)
    url = reverse("statistics:return")
    page = client.get(url, {"year": YEAR, "scope": "town"})
    assert page.status_code == 200
    text = page.content.decode()
    assert town_b.org_unit.name in text and other.name not in text
    assert client.get(url, {"year": YEAR, "scope": "town", "town": other.code}).status_code == 403
    assert client.get(url, {"year": YEAR, "scope": "county"}).status_code == 403
    cell = reverse("statistics:cell")
    query = {"year": YEAR, "scope": "town", "figure": "stat.population_persons"}
    assert client.get(cell, {**query, "col": other.code}).status_code == 403
    assert client.get(cell, {**query, "col": compute.ALL_TOWNS}).status_code == 403
    own = client.get(cell, {**query, "col": town_b.org_unit.code})
    assert own.status_code == 200 and "人口与面积年报" in own.content.decode()
    download = reverse("statistics:download")
    got = client.get(download, {"year": YEAR, "scope": "town", "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(got.content))
    assert [c.value for c in book["村镇1表"][7]][3:] == [town_b.org_unit.name]
    with pytest.raises(compute.ScopeDenied):
        compute.fill("town", YEAR, user("town01"))  # a 街道 files the 县城 return


@pytest.mark.django_db
def test_the_page_links_every_cell_and_marks_ready(client, admin_user):
    login(client, admin_user)
    page = client.get(reverse("statistics:return"), {"year": YEAR, "scope": "county"})
    text = page.content.decode()
    assert page.status_code == 200 and "全部通过" in text
    filled = compute.fill("county", YEAR)
    shown = sum(1 for t in filled.tables for r in t.rows if r.figure)
    assert text.count(reverse("statistics:cell") + "?") == shown
    cell = client.get(
        reverse("statistics:cell"),
        {"year": YEAR, "scope": "county", "col": "seat", "figure": "stat.sewage_rate"},
    )
    assert "由以下指标计算" in cell.content.decode()
    bad = client.get(reverse("statistics:return"), {"year": "99999"})
    assert bad.status_code == 404
    done = client.post(reverse("statistics:ready") + f"?year={YEAR}&scope=county")
    assert done.status_code == 302 and status.current(filled).ready
    assert b"<table" in to_html(filled)


@pytest.mark.django_db
def test_the_command_writes_both_returns_and_the_coverage(tmp_path):
    for scope, fmt in (("county", "xlsx"), ("town", "html")):
        out = io.StringIO()
        target = tmp_path / f"{scope}.{fmt}"
        call_command("statistics", year=YEAR, scope=scope, format=fmt, output=str(target),
                     stdout=out)  # fmt: skip
        assert target.stat().st_size > 1000 and "全部通过" in out.getvalue()
    out = io.StringIO()
    call_command("statistics", scope="county", coverage=True, stdout=out)
    assert "项由台账记录计算" in out.getvalue() and "参数设置" in out.getvalue()
