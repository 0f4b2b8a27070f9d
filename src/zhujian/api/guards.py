"""Guards on the ledger API's writes, kept apart from the viewsets so each stays small.

``VersionedMixin`` — lost updates (see :mod:`zhujian.core.versions`): ``ETag`` on the
responses that return a record; ``If-Match`` on PUT/PATCH/DELETE is compared with the
record's current version with the row locked, in the write's own transaction; a stale
one is refused with ``412`` and a Chinese ``detail`` naming who changed the record.

``CascadeGuardMixin`` — deletes that take children along (see :mod:`zhujian.core.deletion`):
refused with ``409`` listing what would go unless ``?cascade=true``; refused with ``403``
when the cascade reaches records the user may not delete; ``PROTECT`` children give 409.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from zhujian.core import deletion, invariants, versions, workflows

WRITES = ("PUT", "PATCH", "DELETE")


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "记录已被修改，If-Match 中的版本已过期；请重新获取后再提交。"
    default_code = "precondition_failed"


class VersionedMixin:
    """For a ModelViewSet of a ledger: ETag out, If-Match in, writes under a row lock."""

    request: Request
    _record: Any = None

    def get_object(self) -> Any:
        obj = super().get_object()  # type: ignore[misc]  # scope, 404, object permissions
        if self.request.method in WRITES:
            # Read again with the row locked: the version compared is the one overwritten.
            obj = versions.lock(type(obj)._default_manager.all(), obj.pk)
            if obj is None:
                raise Http404("没有这条记录")
            conflict = versions.check_if_match(obj, self.request.headers.get("If-Match", ""))
            if conflict is not None:
                raise PreconditionFailed(versions.api_message(conflict))
        self._record = obj
        return obj

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)  # type: ignore[misc]
        response["ETag"] = versions.etag(self._record)
        return response

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().create(request, *args, **kwargs)  # type: ignore[misc]
        model = self.get_queryset().model  # type: ignore[attr-defined]
        tok = versions.current(model, response.data.get("id"))
        if tok:
            response["ETag"] = f'"{tok}"'
        return response

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():  # the lock taken in get_object lasts until the save
            response = super().update(request, *args, **kwargs)  # type: ignore[misc]
            response["ETag"] = versions.etag(self._record)
        return response

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            return super().destroy(request, *args, **kwargs)  # type: ignore[misc]


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "该记录还有关联记录，不能删除。"
    default_code = "conflict"


class CascadeRefused(APIException):
    """409 with a body of its own: ``detail`` and ``would_delete`` (counts stay numbers)."""

    status_code = status.HTTP_409_CONFLICT

    def __init__(self, data: dict[str, Any]) -> None:
        self.detail = data  # as is: APIException would turn every value into a string


CASCADE_PARAM = "cascade"


class CascadeGuardMixin:
    """For a ModelViewSet of a ledger: no silent cascade on DELETE."""

    request: Request

    def perform_destroy(self, instance: Any) -> None:
        if why := workflows.delete_refusal(self.request.user, instance):
            raise PermissionDenied(why)
        try:
            plan = deletion.plan(instance, self.request.user)
        except models.ProtectedError:
            raise Conflict(deletion.protected_message(str(instance))) from None
        if plan.forbidden:
            raise PermissionDenied(plan.forbidden_message())
        cascade = self.request.query_params.get(CASCADE_PARAM, "").lower()
        if plan.children and cascade not in ("true", "1", "yes"):
            raise CascadeRefused(
                {
                    "detail": plan.cascade_message()
                    + f"如确需一并删除，请在请求中加上 ?{CASCADE_PARAM}=true。",
                    "would_delete": plan.as_data(),
                }
            )
        with invariants.refused_as(ValidationError):  # 400 naming the rule it would break
            plan.execute()


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "防止覆盖他人的修改：填写读取该记录时响应中的 ETag。若记录在此之后已被修改，"
        "返回 412 且不做任何修改。不填写则不检查。"
    ),
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=True,
    description="记录当前的版本；修改或删除时放入 If-Match 请求头。",
)
CASCADE = OpenApiParameter(
    CASCADE_PARAM,
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description=(
        "记录还有关联的下级记录（如项目的进度报告）时，须为 true 才会连同它们一并删除；"
        "否则返回 409 并列出将被删除的记录。"
    ),
)
CHILDREN = OpenApiResponse(
    description=(
        "记录还有关联记录：detail 说明将一并删除哪些记录，would_delete 按台账列出条数"
        "（加 ?cascade=true 后重试即一并删除）；或被“保护”的关联记录阻止删除。"
    )
)
FORBIDDEN = OpenApiResponse(description="一并删除的记录中有您无权删除的记录，整条删除被拒绝。")
STALE = OpenApiResponse(
    description="If-Match 中的版本已过期：记录已被他人修改（detail 说明由谁、何时修改），本次未保存。"
)


def document_writes(serializer: Any) -> dict[str, Any]:
    """``extend_schema`` per action, for ``extend_schema_view``: headers, 409, 412."""
    return {
        "retrieve": extend_schema(parameters=[ETAG]),
        "create": extend_schema(parameters=[ETAG]),
        "update": extend_schema(
            parameters=[IF_MATCH, ETAG], responses={200: serializer, 412: STALE}
        ),
        "partial_update": extend_schema(
            parameters=[IF_MATCH, ETAG], responses={200: serializer, 412: STALE}
        ),
        "destroy": extend_schema(
            parameters=[IF_MATCH, CASCADE],
            responses={204: None, 403: FORBIDDEN, 409: CHILDREN, 412: STALE},
        ),
    }
