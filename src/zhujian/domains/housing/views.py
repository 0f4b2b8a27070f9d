"""The draw's pages: a round's draw page (freeze, inputs, run, redraw), its files, and
the public verification page. Everything else about rounds is the generic ledger pages.

Each step is a POST that calls ``draw.service`` on a round reached through
``scope.restrict(…, "change")``; the service checks the round's status and the models
refuse anything out of order, whatever the page sends.
"""

from __future__ import annotations

import threading
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

from zhujian.core import personal, scope
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
            "publication_days": conf.draw_publication_days(),
            "publication_ends": service.publication_ends(round),
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
def set_beacon(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda r: service.set_beacon(r, request.POST.get("beacon_value", ""), request.user),
        "已记录开奖号码",
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
        verification = files.verify(
            files.load(files.to_json(files.from_round(round))),
            round.seed,
            service.published_record(round.code),
            against_platform=True,
        )
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


# One verification at a time per server process: with the per-address rate and the
# per-request bounds (ZHUJIAN_DRAW_VERIFY_MAX_BYTES / _MAX_ROWS), anonymous uploads can take
# at most one core of a process, however many addresses send them.
_VERIFY_SLOT = threading.BoundedSemaphore(1)


def _too_many(request: HttpRequest, throttle: SimpleRateThrottle, context: dict) -> HttpResponse:
    wait = max(1, round(throttle.wait() or 1))
    context["error"] = f"验证过于频繁，请 {wait} 秒后再试"
    response = render(request, "housing/verify.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


def verify_page(request: HttpRequest) -> HttpResponse:
    """Public: upload a round file (JSON) or the Excel announcement (the seed is optional,
    to check one's copy of the announcement); the result is recomputed from the file alone
    and the file is compared with what the platform published under its round code. No
    sign-in; uploads are bounded in size and rows, rate limited per address, and run one
    at a time per process."""
    max_bytes, max_rows = conf.draw_verify_max_bytes(), conf.draw_verify_max_rows()
    context: dict[str, Any] = {
        "seed": request.POST.get("seed", "").strip()[:200],
        "max_mb": f"{max_bytes / 1024 / 1024:.0f}",
        "max_rows": max_rows,
    }
    if request.method == "POST" and not (throttle := VerifyRateThrottle()).allow_request(
        request, None
    ):
        return _too_many(request, throttle, context)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is not None and upload.size <= max_bytes:
            if not _VERIFY_SLOT.acquire(blocking=False):
                context["error"] = "正在验证其他文件，请稍后再试"
                response = render(request, "housing/verify.html", context, status=503)
                response["Retry-After"] = "5"
                return response
            try:
                rf = files.load(upload.read(), upload.name, max_bytes, max_rows)
                published = service.published_record(rf.round.get("code", ""))
                verification = files.verify(rf, context["seed"], published, against_platform=True)
                context.update(verification=verification, file=rf)
            except DrawError as exc:
                context["error"] = str(exc)
            finally:
                _VERIFY_SLOT.release()
        elif upload is None:
            context["error"] = "请选择摇号文件（JSON）或摇号公告（Excel）"
        else:
            context["error"] = f"文件过大：公开验证页面最多接受 {context['max_mb']} MB 的文件"
    status = 400 if context.get("error") else 200
    return render(request, "housing/verify.html", context, status=status)


class LookupRateThrottle(VerifyRateThrottle):
    """Look-ups per client address on the public result page (``ZHUJIAN_DRAW_LOOKUP_RATE``)."""

    scope = "housing_draw_lookup"

    def get_rate(self) -> str:
        return conf.draw_lookup_rate()


def _find_household(round: AllocationRound, query: str) -> tuple[Any, str]:
    """The one household a resident's query names, or None and a sentence saying why."""
    text = "".join(query.split())[:30]
    if not text:
        return None, "请输入户编号或户主身份证号后4位"
    found = list(round.households.filter(household_code=text)[:2])
    if not found and len(text) == 4 and (text.isdigit() or text[:3].isdigit()):
        found = list(round.households.filter(id_number__iendswith=text)[:2])
        if len(found) > 1:
            return None, "有多户家庭的身份证号后4位相同，请改用户编号查询"
    if not found:
        return None, "本轮次没有找到该户：请核对轮次和户编号（或身份证号后4位）"
    return found[0], ""


def lookup_page(request: HttpRequest) -> HttpResponse:
    """Public: a resident picks the round, types the household's 户编号 or the last four
    characters of the head's ID number, and sees that household's result — checked against
    the round's published digests (已核验). One household per query, names masked, no
    list; look-ups are rate limited per address."""
    rounds = list(
        AllocationRound.objects.filter(status=RoundStatus.DRAWN)
        .order_by("-drawn_on", "-pk")
        .values("pk", "code", "name", "drawn_on")[:100]
    )
    code = request.GET.get("round", "")[:40]
    query = request.GET.get("q", "")[:60]
    context: dict[str, Any] = {"rounds": rounds, "code": code, "q": query}
    if query or code:
        throttle = LookupRateThrottle()
        if not throttle.allow_request(request, None):
            wait = max(1, round(throttle.wait() or 1))
            context["error"] = f"查询过于频繁，请 {wait} 秒后再试"
            response = render(request, "housing/lookup.html", context, status=429)
            response["Retry-After"] = str(wait)
            return response
        rnd = AllocationRound.objects.filter(status=RoundStatus.DRAWN, code=code).first()
        if rnd is None:
            context["error"] = "请选择已摇号的轮次"
        else:
            household, why = _find_household(rnd, query)
            if household is None:
                context["error"] = why
            else:
                context.update(_household_result(rnd, household))
    status = 400 if context.get("error") else 200
    return render(request, "housing/lookup.html", context, status=status)


def _mask_name(name: str) -> str:
    """王建国 → 王*国, 张伟 → 张*: enough for a family to recognise itself."""
    if len(name) < 3:
        return name[:1] + "*" * max(1, len(name) - 1)
    return personal.mask_middle(name, 1, 1)


def _household_result(rnd: AllocationRound, household: Any) -> dict[str, Any]:
    result = getattr(household, "result", None)
    unit = result.unit if result is not None else None
    expected = (service.recomputed(rnd) or {}).get(household.seq)
    verified = (
        result is not None
        and expected is not None
        and expected.position == result.position
        and expected.unit == (unit.seq if unit else None)
    )
    return {
        "round": rnd,
        "household": {
            "name": _mask_name(household.head_name),
            "code": household.household_code,
            "group": household.group,
            "seq": household.seq,
        },
        "result": {
            "position": result.position if result else None,
            "unit": unit.code if unit else "",
            "area": unit.floor_area if unit else None,
            "layout": unit.layout if unit else "",
        },
        "verified": verified,
    }
