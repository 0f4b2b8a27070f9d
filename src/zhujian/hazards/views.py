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

from zhujian.core import lines, scope, versions
from zhujian.core.registry import registry
from zhujian.hazards import loop
from zhujian.hazards.forms import STEPS, HazardForm, editable_lines, next_step
from zhujian.hazards.models import Hazard, HazardStatus, overdue_q
from zhujian.web.ledger_views import history_of


class HazardListView(LoginRequiredMixin, View):
    overdue = False

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        qs = loop.filtered(user, request.GET, overdue=self.overdue)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        today = dt.date.today()
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


class HazardDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        hazard = get_object_or_404(loop.visible(request.user).select_related("org_unit"), pk=pk)
        return self.page(request, hazard)

    def page(
        self, request: HttpRequest, hazard: Hazard, form: Any = None, status: int = 200
    ) -> HttpResponse:
        can_change = scope.restrict(Hazard.objects.filter(pk=hazard.pk), request.user, "change")
        step = next_step(hazard)
        if form is None and step is not None:
            initial = {}
            if step.step == "verify":
                initial = {"verified_on": dt.date.today(), "verified_by": str(request.user)}
            form = step(instance=hazard, initial=initial)
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
                "form": form if can_change.exists() else None,
                "step": step,
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
        hazard = loop.get_for_change(request.user, pk)
        form = loop.apply_step(
            hazard,
            step,
            request.POST,
            request.FILES,
            version=request.POST.get(versions.VERSION_FIELD, ""),
        )
        if form.errors:
            hazard.refresh_from_db()
            return self.page(request, hazard, form=form, status=409 if form.conflict else 400)
        messages.success(request, f"{STEPS[step].label}：已保存")
        return redirect("hazards:detail", pk=pk)
