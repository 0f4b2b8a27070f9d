"""Issued reports (印发): stored byte for byte, every value with the record versions it
came from, and a drift view naming the changed figure and the record behind it."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conftest import login
from zhujian.figures import catalog, lineage
from zhujian.figures.catalog import Aggregate
from zhujian.figures.periods import Period
from zhujian.reports import issue as issuing
from zhujian.reports import render
from zhujian.reports.models import IssuedFile, IssuedReport

pytestmark = pytest.mark.django_db

PERIOD = "2022H1"


def _sum_figure_and_record(issued: IssuedReport):
    """A summed figure of the report with a record behind it whose amount can grow."""
    period = Period.parse(PERIOD)
    for key in sorted(issued.values):
        if "@-" in key:
            continue
        fig = catalog.get(key)
        if not (isinstance(fig, Aggregate) and fig.func == "sum" and fig.field != "pk"):
            continue
        if "__" in fig.field:
            continue
        qs = catalog.records(key, period)
        obj = qs.exclude(**{fig.field: None}).order_by("pk").first() if qs is not None else None
        if obj is not None:
            return fig, obj
    raise AssertionError("the 2022H1 report has no summed figure with records")


def test_issue_freezes_files_values_and_lineage_and_drift_names_the_change(client, admin_user):
    issued = issuing.issue(PERIOD, admin_user)
    stored = {f.format: bytes(f.content) for f in IssuedFile.objects.filter(report=issued)}
    assert set(stored) == set(render.RENDERERS)
    assert issued.lineage_records > 100
    for fmt, data in stored.items():
        assert hashlib.sha256(data).hexdigest() == issued.files.get(format=fmt).sha256
    assert issuing.drift(issued).unchanged

    fig, obj = _sum_figure_and_record(issued)
    before = issued.values[fig.id]
    amount = getattr(obj, fig.field)
    setattr(obj, fig.field, amount + (Decimal(1) if isinstance(amount, Decimal) else 1))
    obj._change_reason = "测试：印发后更正"
    obj.save()

    # Reopened in every format: byte for byte what was issued.
    login(client, admin_user)
    for fmt, data in stored.items():
        response = client.get(reverse("issued:file", args=[issued.pk, fmt]))
        assert response.status_code == 200
        assert (
            b"".join(response.streaming_content if response.streaming else [response.content])
            == data
        )

    drift = issuing.drift(IssuedReport.objects.get(pk=issued.pk))
    changed = {f.key: f for f in drift.figures}
    assert fig.id in changed
    fd = changed[fig.id]
    assert fd.old_text == before["text"] and fd.new != fd.old
    hid = obj.history.order_by("-history_id").first().history_id
    assert [(r.label, r.pk, r.kind, r.now[0]) for r in fd.records] == [
        (type(obj)._meta.label, obj.pk, "changed", hid)
    ]
    page = client.get(reverse("issued:detail", args=[issued.pk]))
    text = page.content.decode()
    assert fd.label in text and f"第 {obj.pk} 号记录" in text and "#history" in text


def test_issued_report_refuses_changes(admin_user):
    issued = issuing.issue(PERIOD, admin_user)
    issued.title = "改过的标题"
    with pytest.raises(ValueError):
        issued.save()


def test_lineage_round_trip(admin_user):
    period = Period.parse(PERIOD)
    ids = [f.id for f in catalog.all_figures()][:40]
    values = catalog.evaluate(ids, period)
    lin = lineage.compute(values, period)
    back = lineage.unpack(lineage.pack(lin))
    assert back.records == lin.records
    assert {k: v for k, v in back.sources.items() if any(v.values())} == {
        k: v for k, v in lin.sources.items() if any(v.values())
    }
    # Each aggregate's lineage is exactly the drill-down's records.
    for fid in ids:
        qs = catalog.records(fid, period)
        if qs is not None and isinstance(catalog.get(fid), Aggregate):
            label = qs.model._meta.label
            assert lin.sources[fid].get(label, set()) == set(qs.values_list("pk", flat=True))


def test_township_user_cannot_issue_or_open_a_county_report(client, admin_user, town_a):
    issued = issuing.issue(PERIOD, admin_user)
    login(client, town_a)
    assert client.get(reverse("issued:detail", args=[issued.pk])).status_code == 404
    assert client.get(reverse("issued:file", args=[issued.pk, "txt"])).status_code == 404
    response = client.post(reverse("issued:issue") + "?period=2022H1")
    assert response.status_code == 403
    assert IssuedReport.objects.count() == 1


def test_the_office_issues_from_the_report_page(client, user):
    from zhujian.core.models import Role, User

    office = next(
        u for u in User.objects.filter(role=Role.DEPARTMENT) if "general" in u.business_lines
    )
    login(client, office)
    page = client.get(reverse("web:report") + "?period=2022H1").content.decode()
    assert "印发本报告" in page and "含未审核数据" in page
    response = client.post(
        reverse("issued:issue") + "?period=2022H1&approved=1", {"doc_number": "建办〔2022〕1号"}
    )
    issued = IssuedReport.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{issued.pk}/")
    assert issued.approved_only and issued.doc_number == "建办〔2022〕1号"
    detail = client.get(response["Location"]).content.decode()
    assert "仅计已审核数据" in detail and "全部数字与印发时相同" in detail
    assert "仅计已审核数据" in issuing.stored_file(issued, "html").decode()
