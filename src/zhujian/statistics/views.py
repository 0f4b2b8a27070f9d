"""工作总结 › 城乡建设统计年报: generate, check, mark ready and download the returns;
every cell opens the records behind it. Township users see only their own town's
村镇 column; the 县城 return is for county-wide users."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhujian.core import scope as core_scope
from zhujian.core.models import Role, User
from zhujian.core.registry import registry
from zhujian.figures import catalog
from zhujian.figures.periods import MAX_YEAR, MIN_YEAR, Period
from zhujian.reports.coverage import describe
from zhujian.statistics import checks, compute, coverage, scopes, status
from zhujian.statistics import render as renderers
from zhujian.statistics.tables import SCOPES
from zhujian.web.ledger_views import display

DEFAULT_YEAR = 2022


def _args(request: HttpRequest) -> tuple[int, str, str | None]:
    raw = (request.GET.get("year") or str(DEFAULT_YEAR)).strip()
    if not raw.isdigit() or not MIN_YEAR <= int(raw) <= MAX_YEAR:
        raise Http404(f"统计年度应为 {MIN_YEAR}–{MAX_YEAR} 之间的年份")
    scope = request.GET.get("scope") or ("town" if _township(request.user) else "county")
    if scope not in SCOPES:
        raise Http404("没有这种年报")
    town = (request.GET.get("town") or "").strip()[:12] or None
    return int(raw), scope, town


def _township(user: User) -> bool:
    return user.role == Role.TOWNSHIP


def _fill(request: HttpRequest) -> compute.Filled:
    year, scope, town = _args(request)
    try:
        return compute.fill(scope, year, request.user, town)
    except compute.ScopeDenied as exc:
        raise PermissionDenied(str(exc)) from None


def may_mark(user: User, filled: compute.Filled) -> bool:
    """Who may mark a return ready: 系统管理员, 局领导, the 城建股 (county-wide editors of
    the municipal line), and a 乡镇 for its own 村镇 column."""
    if user.is_admin or user.role == Role.LEADER:
        return True
    if filled.scope == "town" and _township(user) and len(filled.columns) == 1:
        return True
    return not _township(user) and core_scope.can_edit_line(user, "municipal")


@login_required
def return_page(request: HttpRequest) -> HttpResponse:
    filled = _fill(request)
    notes = status.explanations(filled)
    findings = checks.run(filled, notes)
    query = request.GET.copy()
    context = {
        "filled": filled,
        "tables": renderers.rows_for_html(filled),
        "findings": findings,
        "state": status.current(filled),
        "can_mark": may_mark(request.user, filled),
        "can_county": not _township(request.user),
        "towns": scopes.towns(request.user),
        "query": query.urlencode(),
        "coverage": coverage.summary(coverage.items(filled.scope)),
        "scopes": SCOPES,
    }
    return render(request, "statistics/return.html", context)


@login_required
def download(request: HttpRequest) -> HttpResponse:
    filled = _fill(request)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in renderers.RENDERERS:
        raise Http404("没有这种格式")
    if fmt == "html":
        data = renderers.to_html(filled, checks.run(filled, status.explanations(filled)))
        kind = "text/html; charset=utf-8"
    else:
        data = renderers.to_xlsx(filled)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = f"{filled.year}-{filled.scope}.{fmt}"
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def mark_ready(request: HttpRequest) -> HttpResponse:
    filled = _fill(request)
    if not may_mark(request.user, filled):
        raise PermissionDenied("您无权将此年报标记为可报送")
    given = {
        key.removeprefix("why:"): value
        for key, value in request.POST.items()
        if key.startswith("why:") and len(value) <= 500
    }
    try:
        status.mark_ready(filled, request.user, given)
    except status.NotReady as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "审核通过，已标记为可报送")
    return redirect(f"{reverse('statistics:return')}?{request.GET.urlencode()}")


@login_required
def cell(request: HttpRequest) -> HttpResponse:
    """The records behind one cell (a figure over the column's units), or the figures it
    is computed from."""
    year, scope, _ = _args(request)
    key = (request.GET.get("col") or "").strip()[:12]
    try:
        filled_columns = compute.columns(
            scope, request.user, None if key in (compute.SEAT, compute.ALL_TOWNS) else key
        )
        column = next(c for c in filled_columns if c.key == key)
    except (compute.ScopeDenied, StopIteration):
        raise PermissionDenied("没有这一栏，或不在您的管辖范围内") from None
    figure_id = request.GET.get("figure", "")[:80]
    if figure_id not in compute.needed_ids(scope) and not _input_of(scope, figure_id):
        raise Http404("此年报没有这个指标")
    figure = catalog.get(figure_id)
    period = Period.parse(str(year))
    value = catalog.evaluate([figure_id], period, None, request.user, units=column.units)
    context: dict = {
        "figure": figure,
        "value": value[figure_id],
        "year": year,
        "scope": scope,
        "column": column,
        "source": describe(figure, period),
        "inputs": [],
    }
    qs = catalog.records(figure_id, period, None, request.user, units=column.units)
    if qs is not None:
        ledger = registry.for_model(qs.model)
        columns = list(ledger.list_display)
        page = Paginator(qs.order_by(*ledger.ordering), 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context.update(
            query=query.urlencode(),
            ledger=ledger,
            page=page,
            headers=[ledger.field_label(c) for c in columns],
            rows=[(o, [display(o, c) for c in columns]) for o in page.object_list],
            total=page.paginator.count,
        )
    else:
        for arg, back in figure.inputs():
            p = period
            for _ in range(back):
                p = p.previous_year()
            sub = catalog.evaluate([arg], p, None, request.user, units=column.units)[arg]
            url = (
                f"{reverse('statistics:cell')}?year={p.start.year}&scope={scope}"
                f"&col={column.key}&figure={arg}"
            )
            context["inputs"].append((sub.figure, back, sub, url))
    return render(request, "statistics/cell.html", context)


def _input_of(scope: str, figure_id: str) -> bool:
    return any(
        fid == figure_id
        for fid, _ in catalog.expand(compute.needed_ids(scope))  # type: ignore[arg-type]
    )
