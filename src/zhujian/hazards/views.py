"""Pages of the hazard loop: open/overdue lists by line and township, register, steps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from zhujian.core import lines, scope, versions, workflows
from zhujian.core.models import OrgUnit, OrgUnitKind
from zhujian.core.registry import registry
from zhujian.hazards import loop
from zhujian.hazards.forms import STEPS, HazardForm, editable_lines
from zhujian.hazards.models import Hazard, HazardStatus, overdue_q
from zhujian.hazards.workflows import HAZARD_WORKFLOW
from zhujian.web import tables
from zhujian.web.ledger_views import history_of
from zhujian.web.workbench import stage_bar


class HazardListView(LoginRequiredMixin, View):
    overdue = False

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        qs = loop.filtered(user, request.GET, overdue=self.overdue)
        today = dt.date.today()
        if request.GET.get("format") == "xlsx":
            return _export(qs, today, self.overdue)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        for hazard in page.object_list:  # who must act next, by when (the workflow says)
            hazard.next_action = HAZARD_WORKFLOW.next_action(hazard)
            hazard.days_overdue = _days_overdue(hazard, today)
        by_line = (
            loop.visible(user)
            .open()
            .values("line")
            .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue_q(today)))
            .order_by("line")
        )
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "hazards/list.html",
            {
                "page": page,
                "overdue": self.overdue,
                "today": today,
                "lines": lines.CHOICES,
                "statuses": HazardStatus.choices,
                "townships": loop.townships(user),
                "params": request.GET,
                "query": query.urlencode(),
                "summary": [{**row, "label": lines.get_line(row["line"]).label} for row in by_line],
                "can_add": bool(editable_lines(user)),
            },
        )


def _days_overdue(hazard: Hazard, today: dt.date) -> int:
    if hazard.notice_deadline is None or not hazard.overdue:
        return 0
    return max((today - hazard.notice_deadline).days, 0)


def _township(hazard: Hazard) -> str:
    unit = hazard.org_unit
    if unit is None:
        return ""
    if unit.is_township:
        return unit.name
    parent = unit.parent
    return parent.name if parent is not None and parent.is_township else ""


def _export(qs: Any, today: dt.date, overdue: bool) -> HttpResponse:
    """The list as it is filtered, with 逾期天数 and the responsible unit, as Excel."""
    title = "逾期未销号隐患" if overdue else "隐患闭环清单"
    rows = (
        [
            h.code,
            h.get_line_display(),
            _township(h),
            h.org_unit.name if h.org_unit_id else "",
            h.description,
            h.found_on,
            h.notice_number,
            h.notice_deadline,
            _days_overdue(h, today),
            h.get_status_display(),
        ]
        for h in qs[: tables.MAX_ROWS]
    )
    return tables.response(
        f"{title}-{today:%Y%m%d}.xlsx",
        title,
        [
            "隐患编号",
            "业务条线",
            "乡镇（街道）",
            "责任单位",
            "隐患描述",
            "发现日期",
            "整改通知书编号",
            "整改期限",
            "逾期天数",
            "状态",
        ],
        rows,
    )


class HazardOverdueView(HazardListView):
    overdue = True


class HazardCreateView(LoginRequiredMixin, View):
    """Register a hazard; ``?ledger=<name>&id=<pk>`` links it to the inspection that found it."""

    def source(self, request: HttpRequest) -> Any:
        name, pk = request.GET.get("ledger"), request.GET.get("id")
        if not (name and pk and pk.isdigit()):
            return None
        try:
            ledger = registry.get(name)
        except KeyError:
            return None
        record = scope.restrict(ledger.model._default_manager.all(), request.user)
        return ledger, get_object_or_404(record, pk=pk)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not editable_lines(request.user):
            raise PermissionDenied("您没有可登记隐患的业务条线")
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request: HttpRequest) -> dict[str, Any]:
        found = self.source(request)
        if found is None:
            return {"found_on": dt.date.today()}
        ledger, record = found
        date = getattr(record, ledger.date_field, None) if ledger.date_field else None
        return {
            "line": ledger.line,
            "org_unit": record.org_unit_id,
            "source": f"{ledger.label}：{record}",
            "found_on": date or dt.date.today(),
            "found_by": getattr(record, "inspectors", ""),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        form = HazardForm(initial=self.initial(request), user=request.user)
        return render(request, "hazards/form.html", {"form": form, "title": "登记隐患"})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = HazardForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            hazard = form.save(commit=False)
            found = self.source(request)
            if found is not None:
                hazard.link(found[1])
            hazard._change_reason = "登记隐患"
            hazard.save()
            messages.success(request, f"已登记隐患 {hazard.code}")
            return redirect("hazards:detail", pk=hazard.pk)
        return render(request, "hazards/form.html", {"form": form, "title": "登记隐患"}, status=400)


class HazardNoticeView(LoginRequiredMixin, View):
    """整改通知书: the notice of a hazard as a printable page (A4, no navigation)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        hazard = get_object_or_404(
            loop.visible(request.user).select_related("org_unit__parent"), pk=pk
        )
        if not hazard.notice_number:
            messages.error(request, "该隐患尚未下达整改通知书，请先办理“下达整改通知书”一步。")
            return redirect("hazards:detail", pk=hazard.pk)
        issuer = OrgUnit.objects.filter(kind=OrgUnitKind.BUREAU).order_by("path").first()
        return render(
            request,
            "hazards/notice.html",
            {"hazard": hazard, "issuer": issuer, "township": _township(hazard)},
        )


class HazardDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        hazard = get_object_or_404(loop.visible(request.user).select_related("org_unit"), pk=pk)
        return self.page(request, hazard)

    def page(
        self,
        request: HttpRequest,
        hazard: Hazard,
        form: Any = None,
        status: int = 200,
        error: str = "",
    ) -> HttpResponse:
        step = loop.step_for(request.user, hazard)
        if form is None and step is not None:
            initial = {}
            if step.step == "verify":
                initial = {"verified_on": dt.date.today(), "verified_by": str(request.user)}
            elif step.step == "rectify":
                initial = {"rectified_on": dt.date.today()}
            form = step(instance=hazard, initial=initial)
        current = HAZARD_WORKFLOW.current(hazard)
        why_not = HAZARD_WORKFLOW.can(request.user, hazard, current) if current else None
        source_url = None
        if hazard.source_type_id and hazard.source_id:
            model = ContentType.objects.get_for_id(hazard.source_type_id).model_class()
            ledger = registry.find(model) if model else None
            if (
                ledger
                and scope.restrict(
                    model._default_manager.filter(pk=hazard.source_id), request.user
                ).exists()
            ):
                source_url = ledger.url("detail", pk=hazard.source_id)
        return render(
            request,
            "hazards/detail.html",
            {
                "hazard": hazard,
                "form": form if step is not None else None,
                "step": step,
                "stage_bar": stage_bar(HAZARD_WORKFLOW, hazard),
                "next_action": HAZARD_WORKFLOW.next_action(hazard),
                "why_not": why_not,
                "error": error,
                "version": versions.token(hazard),
                "may_send_back": loop.may_send_back(request.user, hazard),
                "transitions": workflows.transitions_of(hazard),
                "overdue": hazard.overdue,
                "source_url": source_url,
                "history": history_of(hazard, request.user),
                "ledger_url": reverse("web:ledger_detail", args=["hazards_hazard", hazard.pk]),
            },
            status=status,
        )


class HazardStepView(HazardDetailView):
    def get(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:  # type: ignore[override]
        return redirect("hazards:detail", pk=pk)

    def post(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        hazard = loop.get_for_step(request.user, pk)
        if step == "send_back":
            error = loop.send_back(
                request.user,
                pk,
                request.POST.get("reason", ""),
                request.POST.get(versions.VERSION_FIELD, ""),
            )
            if error:
                messages.error(request, error)
            else:
                messages.success(request, "已退回整改责任单位重新整改")
            return redirect("hazards:detail", pk=pk)
        form = loop.apply_step(
            hazard,
            step,
            request.POST,
            request.FILES,
            user=request.user,
            version=request.POST.get(versions.VERSION_FIELD, ""),
        )
        if form.errors:
            hazard.refresh_from_db()
            status = 409 if form.conflict else (403 if form.refused else 400)
            current = HAZARD_WORKFLOW.current(hazard)
            if form.refused or current is None or current.code != step:
                error = form.refused or "；".join(form.non_field_errors())
                return self.page(request, hazard, status=status, error=error)
            return self.page(request, hazard, form=form, status=status)
        messages.success(request, f"{STEPS[step].label}：已保存")
        return redirect("hazards:detail", pk=pk)
