"""The draw's pages: a round's draw page (freeze, inputs, run, redraw), its files, and
the public verification page. Everything else about rounds is the generic ledger pages.

Each step is a POST that calls ``draw.service`` on a round reached through
``scope.restrict(…, "change")``; the service checks the round's status and the models
refuse anything out of order, whatever the page sends.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from rest_framework.throttling import SimpleRateThrottle

from zhujian.core import scope
from zhujian.core.lockout import client_ip
from zhujian.core.models import User
from zhujian.core.registry import Ledger, registry
from zhujian.domains.housing import conf
from zhujian.domains.housing.draw import files, service
from zhujian.domains.housing.draw.algorithm import DrawError
from zhujian.domains.housing.draw.announce import render_docx
from zhujian.domains.housing.models import AllocationRound, RoundStatus
from zhujian.web.ledger_views import history_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _round(request: HttpRequest, pk: int, action: str = "view") -> AllocationRound:
    qs = scope.restrict(AllocationRound.objects.select_related("project"), request.user, action)
    if action != "view" and not qs.filter(pk=pk).exists():
        if scope.restrict(AllocationRound.objects.filter(pk=pk), request.user).exists():
            raise PermissionDenied("您不能办理这一轮次的摇号")
    return get_object_or_404(qs, pk=pk)


def _can_change(round: AllocationRound, user: User) -> bool:
    return scope.restrict(AllocationRound.objects.filter(pk=round.pk), user, "change").exists()


@registry.detail_panel
def draw_panel(ledger: Ledger, obj: models.Model, user: User) -> dict[str, Any] | None:
    """On a round's record page: where the draw stands, and the way to its page."""
    if ledger.model is not AllocationRound:
        return None
    return {
        "template": "housing/_draw_panel.html",
        "round": obj,
        "url": reverse("housing:draw", args=[obj.pk]),
    }


@login_required
def draw_page(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    results = list(round.results.select_related("household", "unit"))
    results.sort(key=lambda r: (r.group, r.position is None, r.position or 0, r.pk))
    return render(
        request,
        "housing/draw.html",
        {
            "round": round,
            "ledger": registry.for_model(AllocationRound),
            "households": round.households.order_by("seq"),
            "units": round.units.order_by("seq"),
            "inputs": round.inputs.select_related("recorded_by").order_by("seq"),
            "results": results,
            "replaced_by": AllocationRound.objects.filter(redraw_of=round).first(),
            "can_change": _can_change(round, request.user),
            "min_inputs": conf.draw_min_inputs(),
            "statuses": RoundStatus,
            "history": history_of(round, request.user),
        },
    )


def _step(request: HttpRequest, pk: int, act: Any, done: str) -> HttpResponse:
    round = _round(request, pk, "change")
    try:
        result = act(round)
    except DrawError as exc:
        messages.error(request, str(exc))
        return redirect("housing:draw", pk=pk)
    messages.success(request, done)
    target = result.pk if isinstance(result, AllocationRound) else pk
    return redirect("housing:draw", pk=target)


@login_required
@require_POST
def freeze(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda r: service.freeze(r, request.user),
        "名单已公示并冻结，请打印公示名单并公布其摘要",
    )


@login_required
@require_POST
def add_input(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda r: service.add_input(
            r, request.POST.get("entered_by", ""), request.POST.get("value", ""), request.user
        ),
        "已记录公开输入",
    )


@login_required
@require_POST
def run(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda r: service.run(r, request.user, request.POST.get("signed_by", "")),
        "摇号完成，结果已生成并锁定；请下载公告",
    )


@login_required
@require_POST
def redraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda r: service.redraw(r, request.user, request.POST.get("reason", "")),
        "已新建重新摇号轮次：请核对名单后重新公示",
    )


def _download(data: bytes, filename: str, content_type: str) -> FileResponse:
    return FileResponse(
        BytesIO(data), as_attachment=True, filename=filename, content_type=content_type
    )


def _issuer(round: AllocationRound) -> str:
    from zhujian.figures.catalog import county_name

    return f"{county_name(None) or ''}住房和城乡建设局"  # type: ignore[arg-type]


def _stem(round: AllocationRound) -> str:
    kind = "摇号公告" if round.is_final else "摇号名单"
    return f"{round.code}-{kind}"


@login_required
def round_json(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    data = files.to_json(files.from_round(round))
    return _download(data, f"{_stem(round)}.json", "application/json")


@login_required
def round_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    buffer = BytesIO()
    files.write_xlsx(files.from_round(round), buffer)
    return _download(buffer.getvalue(), f"{_stem(round)}.xlsx", XLSX)


@login_required
def round_docx(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round(request, pk)
    status = "" if round.is_final else round.get_status_display()
    data = render_docx(files.from_round(round), _issuer(round), status)
    return _download(data, f"{_stem(round)}.docx", DOCX)


@login_required
def round_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Verify a drawn round's own published file, as anyone would."""
    round = _round(request, pk)
    verification = None
    if round.is_final:
        verification = files.verify(files.load(files.to_json(files.from_round(round))), round.seed)
    return render(
        request,
        "housing/verify.html",
        {"round": round, "verification": verification, "seed": round.seed},
    )


class VerifyRateThrottle(SimpleRateThrottle):
    """Uploads per client address to the public verification page
    (``ZHUJIAN_DRAW_VERIFY_RATE``); counted in Django's cache, like the API's throttles."""

    scope = "housing_draw_verify"

    def get_rate(self) -> str:
        return conf.draw_verify_rate()

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "-"}


def verify_page(request: HttpRequest) -> HttpResponse:
    """Public: upload a round file (JSON) or the Excel announcement, give the seed, and the
    result is recomputed from the file alone. No sign-in, no database; uploads are rate
    limited per address."""
    context: dict[str, Any] = {"seed": request.POST.get("seed", "").strip()[:200]}
    if request.method == "POST" and not (throttle := VerifyRateThrottle()).allow_request(
        request, None
    ):
        wait = max(1, round(throttle.wait() or 1))
        context["error"] = f"验证过于频繁，请 {wait} 秒后再试"
        response = render(request, "housing/verify.html", context, status=429)
        response["Retry-After"] = str(wait)
        return response
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise DrawError("请选择摇号文件（JSON）或摇号公告（Excel）")
            if upload.size > files.MAX_FILE_BYTES:
                raise DrawError("文件过大")
            rf = files.load(upload.read(), upload.name)
            context["verification"] = files.verify(rf, context["seed"])
            context["file"] = rf
        except DrawError as exc:
            context["error"] = str(exc)
    status = 400 if context.get("error") else 200
    return render(request, "housing/verify.html", context, status=status)
