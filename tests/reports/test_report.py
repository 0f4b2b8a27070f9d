"""The half-year summary: seed-faithful text, every format, traceable figures."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from zhujian.core.models import Job
from zhujian.figures import catalog
from zhujian.figures.periods import Period
from zhujian.reports import coverage, render
from zhujian.reports.build import build_report, default_body, ensure_default_template

pytestmark = pytest.mark.django_db
# The bureau's hand-made 2022H1 summary, each figure a `*` (a copy of shared/seed/).
SEED = Path(__file__).resolve().parents[2] / "docs" / "reference" / "seed-2022H1-summary.txt"
NUMBERING_FIXES = {
    13: ("（六）坚持", "（七）坚持"),
    15: ("（七）牢记", "（八）牢记"),
    17: ("三、2022年下半年", "二、2022年下半年"),
}


# The seed's “已经全部办结” is now said only when it is so, and followed by the two rates a
# petition office is assessed on (issue 20): five marks beyond the seed's 240.
PETITION_CLOSURE = (
    "(?:已经全部办结|无信访事项|已办结.+?件，尚有.+?件正在办理(?:（其中.+?件已超过办理期限）)?)"
    "；在告知期限内书面告知受理与否.+?件，及时受理率.+?%；在办理期限内办结.+?件，按期办结率.+?%。"
)
ADDED_MARKS = 5


def seed_patterns() -> list[re.Pattern[str]]:
    patterns = []
    for i, line in enumerate(SEED.read_text(encoding="utf-8").splitlines()):
        if i in NUMBERING_FIXES:
            line = line.replace(*NUMBERING_FIXES[i])
        parts = [re.escape(p) for p in line.split("*")]
        pattern = "(.+?)".join(parts).replace(re.escape("同比下降"), "同比(?:下降|增长)")
        pattern = pattern.replace(re.escape("已经全部办结。"), PETITION_CLOSURE)
        patterns.append(re.compile(f"^{pattern}$"))
    return patterns


@pytest.fixture
def report():
    return build_report("2022H1")


def test_txt_matches_the_seed_line_by_line(report):
    lines = render.to_txt(report).decode("utf-8").splitlines()
    patterns = seed_patterns()
    assert len(lines) == len(patterns) == 27
    for number, (line, pattern) in enumerate(zip(lines, patterns, strict=True), start=1):
        assert pattern.match(line), f"line {number} differs from the seed: {line[:80]}"


def test_no_star_remains_in_any_format(report):
    for fmt in ("txt", "md", "html"):
        assert "*" not in render.render(report, fmt).decode("utf-8").replace("**", ""), fmt


def test_the_template_has_the_seeds_240_marks():
    marks = coverage.marks(default_body())
    assert len(marks) == 240 + ADDED_MARKS
    assert coverage.summary(marks).endswith("missing")


def test_party_section_is_computed_from_records(report):
    marks = coverage.marks(default_body())
    party = [m for m in marks if m.line == 3]
    assert len(party) == 13 and all(m.source == "records" for m in party)
    assert "【缺】" not in report.lines[2].text


def test_a_figure_equals_its_drill_down_records():
    period = Period.parse("2022H1")
    values = catalog.evaluate(["party.theme_days", "party.cobuild_completed"], period)
    for fid in ("party.theme_days", "party.cobuild_completed"):
        assert catalog.records(fid, period).count() == values[fid].value


def test_figures_of_one_model_are_one_query():
    ids = [f.id for f in catalog.all_figures() if f.line == "party"]
    with CaptureQueriesContext(connection) as queries:
        catalog.evaluate(ids, Period.parse("2022H1"))
    models = {
        f.model
        for f in catalog.all_figures()
        if f.line == "party" and isinstance(f, catalog.Aggregate)
    }
    assert len(queries) == len(models)


def test_year_on_year_and_the_sign_word():
    catalog.register(catalog.yoy("party.theme_days_yoy", "主题党日同比", "party.theme_days"))
    period = Period.parse("2022H1")
    values = catalog.evaluate(["party.theme_days_yoy"], period)
    now = catalog.evaluate(["party.theme_days"], period)["party.theme_days"].value
    before = catalog.evaluate(["party.theme_days"], period.previous_year())[
        "party.theme_days"
    ].value
    expected = (now - before) * 100 / before
    assert float(values["party.theme_days_yoy"].value) == pytest.approx(expected)
    text = build_report(
        period, body="同比{{ party.theme_days_yoy|sign:下降:增长 }}{{ party.theme_days_yoy|abs }}%"
    ).text
    word = "下降" if expected < 0 else "增长"
    assert text.startswith(f"同比{word}")


def test_rates_round_only_when_shown():
    catalog.register(
        catalog.rate(
            "party.center_share",
            "中心组学习占比",
            "party.center_studies",
            "party.theme_days",
            decimals=1,
        )
    )
    period = Period.parse("2022H1")
    values = catalog.evaluate(
        ["party.center_share", "party.center_studies", "party.theme_days"], period
    )
    exact = values["party.center_studies"].value * 100 / values["party.theme_days"].value
    assert str(values["party.center_share"]) == f"{exact:.1f}"


def test_unit_scope_changes_the_numbers(user):
    county = build_report("2022H1")
    town = user("town01")
    scoped = build_report("2022H1", town.org_unit, town)
    assert (
        county.values["party.cobuild_completed"].value
        >= scoped.values["party.cobuild_completed"].value
    )
    assert (
        scoped.values["party.center_studies"].value == 0
    )  # bureau activities are not the township's


def test_html_links_every_figure_to_its_records(report, client, admin_user):
    html = render.to_html(report).decode("utf-8")
    links = re.findall(r'href="(/figures/[^"]+)"', html)
    # every figure is linked: the marks, and words chosen by a figure (同比{{ x|sign }})
    computed = [f for line in report.lines for f in line.fragments if f.figure_id]
    assert len(links) == len(computed) > 0
    client.force_login(admin_user)
    target = links[0].replace("&amp;", "&")
    assert client.get(target).status_code == 200


def test_docx_is_gongwen_styled(report):
    doc = Document(BytesIO(render.to_docx(report)))
    styles = [p.style.name for p in doc.paragraphs]
    assert styles[0] == "公文标题"
    assert {"一级标题", "公文正文"} <= set(styles)
    body = [p for p in doc.paragraphs if p.style.name != "公文标题"]
    assert len([p for p in body if p.text]) == 27
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    normal = doc.styles["公文正文"]
    assert normal.paragraph_format.line_spacing.pt == pytest.approx(28.95, abs=0.05)
    assert "PAGE" in section.footer.paragraphs[0]._p.xml
    font_table = next(
        r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable")
    )
    assert '<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>' in font_table.blob.decode(
        "utf-8"
    )


def test_xlsx_lists_every_figure_with_last_year(report):
    wb = load_workbook(BytesIO(render.to_xlsx(report)))
    ws = wb["指标"]
    header = [c.value for c in ws[3]]
    assert header[:6] == ["业务条线", "指标名称", "单位", "本期值", "上年同期", "同比变化(%)"]
    # People read it: no figure ids, one row per figure, by its name.
    labels = [row[1] for row in ws.iter_rows(min_row=4, values_only=True)]
    assert labels == [r.label for r in report.rows]
    assert not any("." in str(c) and str(c).isascii() for c in labels)
    row_of = {r.id: i for i, r in enumerate(report.rows)}
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    center = rows[row_of["party.center_studies"]]
    assert center[4] is not None  # 上年同期: 2021H1 has demo data


def test_report_command_writes_every_format(tmp_path):
    from django.core.management import call_command

    call_command("report", "--period", "2022H1", "--all-formats", "-o", str(tmp_path))
    written = sorted(p.suffix for p in tmp_path.iterdir())
    assert written == [".docx", ".html", ".md", ".txt", ".xlsx"]


def test_report_page_and_download(client, user):
    client.force_login(user("leader"))
    page = client.get("/report/", {"period": "2022H1"})
    assert page.status_code == 200 and "工作总结" in page.content.decode()
    # the file is built by a background job (run at once in tests), then downloaded
    started = client.post("/report/download/?period=2022H1", {"format": "docx"})
    assert started.status_code == 302
    job_page = client.get(started["Location"]).content.decode()
    assert "已完成" in job_page and "报告已生成" in job_page
    job = Job.objects.filter(kind=Job.Kind.REPORT).latest("pk")
    download = client.get(reverse("web:job_result", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get("/report/download/", {"format": "docx"}).status_code == 405


def test_default_template_is_reset_from_the_shipped_text():
    template = ensure_default_template()
    template.body = "改过的正文"
    template.save()
    assert ensure_default_template(update=True).body == default_body()


def test_two_seeds_give_different_numbers():
    from zhujian.demo import run

    ids = [f.id for f in catalog.all_figures() if f.line == "party"]
    first = {k: v.value for k, v in catalog.evaluate(ids, Period.parse("2022H1")).items()}
    run.reset()
    run.build(seed=8, log=lambda _m: None, lines={"party"})  # the figures' own line is enough
    second = {k: v.value for k, v in catalog.evaluate(ids, Period.parse("2022H1")).items()}
    assert first != second


def test_a_reference_to_an_unknown_figure_renders_missing():
    report = build_report("2022H1", body="共{{ no.such_figure }}件，{{ party.theme_days }}次")
    assert report.text.startswith("共【缺】件，")
    assert report.marks[0].note == "未定义的指标 no.such_figure"


def test_last_years_aggregates_share_the_query_of_this_year():
    catalog.register(catalog.yoy("party.lectures_yoy", "党课同比", "party.party_lectures"))
    with CaptureQueriesContext(connection) as queries:
        catalog.evaluate(["party.party_lectures", "party.lectures_yoy"], Period.parse("2022H1"))
    assert len(queries) == 1
