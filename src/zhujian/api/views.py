"""REST endpoints built from the ledger registry: one ModelViewSet per ledger."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from zhujian.api.guards import CascadeGuardMixin, VersionedMixin, document_writes
from zhujian.core import (
    bounds,
    claims,
    codes,
    files,
    invariants,
    personal,
    scope,
    versions,
    workflows,
)
from zhujian.core.filters import filterset_for
from zhujian.core.models import OrgUnit, Transition
from zhujian.core.registry import Ledger, registry


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """A foreign key whose choices are limited to what the requesting user may reach."""

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        qs = super().get_queryset()
        if request is None:
            return qs.none()
        if qs.model is OrgUnit:
            return scope.org_units_for(request.user, "add")
        if registry.find(qs.model) is not None:
            return scope.restrict(qs, request.user)
        return qs


class StoredFileField(serializers.FileField):
    """An uploaded file, shown as the address of the scoped file view (never MEDIA_URL)."""

    def to_representation(self, value: Any) -> str | None:
        if not value:
            return None
        url = files.file_url(value)
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class LedgerSerializer(serializers.ModelSerializer):
    serializer_related_field = ScopedRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.FileField: StoredFileField,
    }
    ledger: Ledger

    def to_representation(self, instance: models.Model) -> dict[str, Any]:
        """Personal fields masked, but for the records the view was asked to reveal."""
        data = super().to_representation(instance)
        secret = personal.personal_fields(self.ledger)
        if secret and instance.pk not in self.context.get("reveal_ids", ()):
            for name in secret:
                if name in data:
                    data[name] = personal.mask(self.ledger, name, data[name])
        return data

    def to_internal_value(self, data: Any) -> Any:
        # A personal value sent back as it was shown (masked) keeps the stored value; this
        # comes before the fields' own validators, which refuse a masked number.
        return super().to_internal_value(
            personal.restore_masked_data(self.ledger, self.instance, data)
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Run the model's own cross-field rules, as forms and imports do, on a copy of
        the record as it would be saved; then check that record against the user's scope
        (its unit and, for a shared ledger, its line)."""
        errors: dict[str, list[str]] = {}
        for name, value in attrs.items():
            if isinstance(value, dt.date):
                try:
                    bounds.check_date(value)
                except bounds.BoundsError as exc:
                    errors[name] = [str(exc)]
        for name in personal.masked_values(self.ledger, attrs):  # not the stored one's mask
            errors[name] = [personal.MASKED_REFUSED]
        if errors:
            raise DRFValidationError(errors)
        user = self.context["request"].user
        # A county-wide code the platform assigns: the same refusal for a free code and a
        # taken one (core.codes).
        errors.update(codes.assigned_errors(self.ledger, user, self.instance, attrs))
        if errors:
            raise DRFValidationError(errors)
        reason = attrs.pop(claims.REASON_FIELD, "")
        instance = copy.copy(self.instance) if self.instance else self.Meta.model()
        for name, value in attrs.items():
            setattr(instance, name, value)
        if self.instance is not None:
            claims.set_reason(self.instance, reason)
            claims.set_reason(instance, reason)
        try:
            instance.derive()
            instance.clean()
            claims.check(instance)
            codes.validate(instance)  # a same-township duplicate, named by its field
        except ValidationError as exc:
            raise DRFValidationError(
                getattr(exc, "message_dict", {"non_field_errors": exc.messages})
            ) from None
        if not scope.org_units_for(user, "add").filter(pk=instance.org_unit_id).exists():
            raise DRFValidationError({"org_unit": ["该记录将归属于您管辖范围以外的单位"]})
        line_field = self.ledger.line_field
        if line_field and getattr(instance, line_field) not in scope.editable_lines(
            user, self.ledger
        ):
            raise DRFValidationError({line_field: ["您没有编辑该业务条线记录的权限"]})
        return attrs


def _bounded(ledger: Ledger) -> dict[str, dict[str, Any]]:
    """The same bounds as forms and imports: integer ranges every backend can hold, a
    length for every text field."""
    extra: dict[str, dict[str, Any]] = {}
    for name in ledger.form_fields or ():
        f = ledger.field(name)
        if isinstance(f, models.IntegerField) and not f.choices:
            lo, hi = bounds.value_range(f)
            extra[name] = {"min_value": lo, "max_value": hi}
        elif isinstance(f, models.TextField):
            extra[name] = {"max_length": bounds.text_max_length(f)}
    return extra


def serializer_for(ledger: Ledger) -> type[serializers.ModelSerializer]:
    fields = ["id", *(ledger.form_fields or ()), "created_at", "updated_at"]
    declared: dict[str, Any] = {}
    if claims.fields_of(ledger.model):
        # The reason for correcting a claim field (see ``zhujian.core.claims``).
        fields.append(claims.REASON_FIELD)
        declared[claims.REASON_FIELD] = serializers.CharField(
            required=False,
            allow_blank=True,
            write_only=True,
            max_length=claims.REASON_MAX_LENGTH,
            help_text="更正理由：更改已登记的、影响法定期限的日期时必填，记入修改历史",
        )
    meta = type(
        "Meta",
        (),
        {
            "model": ledger.model,
            "fields": fields,
            "read_only_fields": ["created_at", "updated_at", *ledger.read_only_fields],
            "extra_kwargs": {
                **_bounded(ledger),
                # Left out, the platform assigns it (core.codes).
                # (Its uniqueness is judged in ``validate``, by who types it.)
                **{name: {"required": False, "validators": []} for name in ledger.assigned_codes},
            },
        },
    )
    return type(
        f"{ledger.model.__name__}Serializer",
        (LedgerSerializer,),
        {"Meta": meta, "ledger": ledger, **declared},
    )


class LedgerViewSet(VersionedMixin, CascadeGuardMixin, viewsets.ModelViewSet):
    """Records of one ledger; ``api.guards``: ETag/If-Match against lost updates, no
    silent cascade on delete."""

    ledger: Ledger

    def get_queryset(self) -> Any:
        action = {
            "list": "view",
            "retrieve": "view",
            "create": "add",
            "update": "change",
            "partial_update": "change",
            "destroy": "delete",
        }.get(self.action or "", "view")
        qs = self.ledger.model._default_manager.all().order_by(*self.ledger.ordering)
        return scope.restrict(qs, self.request.user, action)

    # --- personal data: ``?unmask=1`` reveals what the user may see, and records it ---------

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["reveal_ids"] = getattr(self, "_reveal_ids", set())
        return context

    def _unmasking(self, request: Any) -> bool:
        if not (personal.personal_fields(self.ledger) and personal.wants_unmask(request.GET)):
            return False
        lines = personal.revealing_lines(self.ledger)
        if not any(scope.can_edit_line(request.user, line) for line in lines):
            raise PermissionDenied("您无权查看未脱敏的个人信息")
        return True

    def _reveal(self, request: Any, objs: list[models.Model]) -> None:
        candidates = self.ledger.model._default_manager.filter(pk__in=[o.pk for o in objs])
        revealable = scope.revealable(request.user, self.ledger, candidates)
        self._reveal_ids = set(revealable.values_list("pk", flat=True))
        viewer = personal.viewer_for(request, personal.Source.API)
        personal.record(viewer, self.ledger, [o for o in objs if o.pk in self._reveal_ids])

    def list(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        if not self._unmasking(request):
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        objs = list(page if page is not None else queryset)
        self._reveal(request, objs)
        data = self.get_serializer(objs, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        if not self._unmasking(request):
            return super().retrieve(request, *args, **kwargs)
        obj = self.get_object()
        self._reveal(request, [obj])
        response = Response(self.get_serializer(obj).data)
        response["ETag"] = versions.etag(obj)
        return response

    def perform_create(self, serializer: Any) -> None:
        with invariants.refused_as(DRFValidationError), transaction.atomic():
            saved = serializer.save()
            scope.ensure_reachable(saved, self.request.user, "change")
            workflows.check_write(self.request.user, saved, None, Transition.Via.API)

    def perform_update(self, serializer: Any) -> None:
        before = workflows.snapshot(serializer.instance)  # steps change only as their actor would
        with invariants.refused_as(DRFValidationError), transaction.atomic():
            saved = serializer.save()
            scope.ensure_reachable(saved, self.request.user, "change")
            workflows.check_write(self.request.user, saved, before, Transition.Via.API)


def viewset_for(ledger: Ledger) -> type[LedgerViewSet]:
    serializer = serializer_for(ledger)
    viewset = type(
        f"{ledger.model.__name__}ViewSet",
        (LedgerViewSet,),
        {
            "ledger": ledger,
            "serializer_class": serializer,
            "filterset_class": filterset_for(ledger),
            "search_fields": list(ledger.search),
            "ordering_fields": [
                c for c in ledger.list_display if "__" not in c and personal.sortable(ledger, c)
            ],
            "__doc__": f"{ledger.label}（{ledger.line_label}）",
        },
    )
    return extend_schema_view(**document_writes(serializer))(viewset)
