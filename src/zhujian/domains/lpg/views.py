"""The LPG pages that are truly this line's own: search, traces, QR labels, device tokens.

Registers (stations, cylinders, users, devices, scans) use the generic ledger pages; every
queryset here goes through ``scope.restrict`` like theirs.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhujian.core import bounds, personal, scope
from zhujian.core.models import OrgUnit
from zhujian.core.registry import registry
from zhujian.domains.lpg import labels, trace
from zhujian.domains.lpg.models import Customer, Cylinder, ScanDevice
from zhujian.domains.lpg.rules import RETIRED
from zhujian.web.params import date_param, id_param

MAX_LABELS = 200
CODE_MAX_LENGTH = Cylinder._meta.get_field("code").max_length


def _visible(model: Any, user: Any) -> Any:
    return scope.restrict(model._default_manager.all(), user)


def _county() -> str:
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    return root.name if root else ""


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Find a cylinder or a user by code (what a scanner or a label shows) or by name."""
    q = request.GET.get("q", "").strip()[:50]
    cylinders, customers = [], []
    if q:
        cylinder = _visible(Cylinder, request.user).filter(code=q).first()
        if cylinder is not None:
            return redirect("lpg:cylinder", code=cylinder.code)
        customer = _visible(Customer, request.user).filter(code=q).first()
        if customer is not None:
            return redirect("lpg:customer", code=customer.code)
        cylinders = list(
            _visible(Cylinder, request.user)
            .filter(Q(code__startswith=q) | Q(serial_number=q))
            .select_related("company")
            .order_by("code")[:50]
        )
        visible = _visible(Customer, request.user)
        # By phone only among the users whose phone the searcher may see unmasked: for
        # anyone else a hit would confirm that a number is registered (personal data).
        by_phone = scope.revealable(
            request.user, registry.for_model(Customer), visible.filter(phone=q)
        ).values("pk")
        customers = list(
            visible.filter(
                Q(code__startswith=q) | Q(name__contains=q) | Q(pk__in=by_phone)
            ).order_by("code")[:50]
        )
    return render(
        request,
        "lpg/search.html",
        {"q": q, "cylinders": cylinders, "customers": customers, "searched": bool(q)},
    )


@login_required
def cylinder_page(request: HttpRequest, code: str) -> HttpResponse:
    cylinder = get_object_or_404(
        _visible(Cylinder, request.user).select_related("company", "org_unit"), code=code
    )
    return render(
        request,
        "lpg/cylinder.html",
        {
            "cylinder": cylinder,
            "steps": trace.cylinder_trace(cylinder, request.user),
            "retired": cylinder.status in RETIRED,
            "ledger": registry.for_model(Cylinder),
        },
    )


@login_required
def customer_page(request: HttpRequest, code: str) -> HttpResponse:
    customer = get_object_or_404(
        _visible(Customer, request.user).select_related("org_unit"), code=code
    )
    return render(
        request,
        "lpg/customer.html",
        {
            "customer": customer,
            "in_hand": list(trace.in_hand(customer)),
            "scans": list(trace.customer_scans(customer, request.user)),
            "ledger": registry.for_model(Customer),
        },
    )


@login_required
def label(request: HttpRequest, code: str) -> HttpResponse:
    cylinder = get_object_or_404(
        _visible(Cylinder, request.user).select_related("company"), code=code
    )
    response = HttpResponse(labels.label_svg(cylinder, _county()), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="{cylinder.code}.svg"'
    return response


@login_required
def label_sheet(request: HttpRequest) -> HttpResponse:
    """A printable sheet of labels: ``?codes=A,B,…`` or the cylinders of ``?company=<id>``
    (optionally ``&registered_from=YYYY-MM-DD``), at most 200 a sheet."""
    qs = _visible(Cylinder, request.user).select_related("company")
    # Only the first MAX_LABELS codes are read (and echoed back in the form): a query
    # string of a million codes is not split, filtered or rendered whole.
    raw = request.GET.get("codes", "")[: MAX_LABELS * (CODE_MAX_LENGTH + 1)]
    codes = [c.strip() for c in raw.split(",") if c.strip()][:MAX_LABELS]
    company = id_param(request, "company")
    if codes:
        qs = qs.filter(code__in=codes)
    elif company is not None:
        qs = qs.filter(company_id=company).exclude(status__in=RETIRED)
        since = date_param(request, "registered_from", bounds.DATE_MIN)
        qs = qs.filter(registered_on__gte=since)
    else:
        qs = qs.none()
    county = _county()
    items = [(c, labels.label_svg(c, county)) for c in qs.order_by("code")[:MAX_LABELS]]
    return render(
        request, "lpg/labels.html", {"items": items, "limit": MAX_LABELS, "codes": ",".join(codes)}
    )


def _device_for_change(request: HttpRequest, pk: int) -> ScanDevice:
    device = get_object_or_404(_visible(ScanDevice, request.user), pk=pk)
    allowed = scope.restrict(ScanDevice.objects.filter(pk=pk), request.user, "change").exists()
    if not allowed:
        raise PermissionDenied("您不能管理该设备的令牌")
    return device


@login_required
@require_POST
def issue_token(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a new token (the old one stops working) and show it this once."""
    device = _device_for_change(request, pk)
    with transaction.atomic():
        token = device.issue_token()
        device._change_reason = "签发设备令牌"
        device.save()
    personal.no_store(request)  # the token in clear: no cache may keep the page
    return render(request, "lpg/token.html", {"device": device, "token": token})


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    device = _device_for_change(request, pk)
    with transaction.atomic():
        device.revoke()
        device._change_reason = "停用设备令牌"
        device.save()
    messages.success(request, f"设备 {device.code} 的令牌已停用，该设备不能再上传")
    return redirect(device.get_absolute_url())
