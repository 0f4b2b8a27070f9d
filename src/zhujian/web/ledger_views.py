"""Generic ledger pages: list, detail, create, edit, delete, export, template, import.

Every view takes the ledger name from the URL and everything else from the registry;
every queryset goes through ``scope.restrict``. No ledger has view code of its own.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from zhujian.core import scope
from zhujian.core.filters import filterset_for
from zhujian.core.models import Job
from zhujian.core.registry import Ledger, registry
from zhujian.imports.excel import export_rows, write_template
from zhujian.jobs.tasks import submit
from zhujian.web.forms import form_for

PAGE_SIZE = 30


def get_ledger(name: str) -> Ledger:
    try:
        return registry.get(name)
    except KeyError:
        raise Http404("没有这个台账") from None


def display(obj: models.Model, name: str) -> Any:
    """A field's value as a person reads it (choice labels, 是/否, related names)."""
    value: Any = obj
    for part in name.split("__"):
        if value is None:
            return ""
        getter = getattr(value, f"get_{part}_display", None)
        value = getter() if getter else getattr(value, part)
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def xlsx_response(buffer: BytesIO, filename: str) -> FileResponse:
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


class LedgerMixin(LoginRequiredMixin):
    action = "view"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.ledger = get_ledger(kwargs["ledger"])
        if request.user.is_authenticated and not scope.can_ledger(
            request.user, self.action, self.ledger
        ):
            raise PermissionDenied("您没有此操作的权限")
        return super().dispatch(request, *args, **kwargs)

    def scoped(self, action: str | None = None) -> models.QuerySet:
        return scope.restrict(
            self.ledger.model._default_manager.all(), self.request.user, action or self.action
        )

    def filtered(self) -> tuple[Any, models.QuerySet]:
        filterset = filterset_for(self.ledger)(
            self.request.GET or None, queryset=self.scoped("view")
        )
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else self.scoped("view")
        return filterset, qs

    def context(self, **extra: Any) -> dict[str, Any]:
        user = self.request.user
        return {
            "ledger": self.ledger,
            "can_add": scope.can_ledger(user, "add", self.ledger),
            "can_change": scope.can_ledger(user, "change", self.ledger),
            "can_delete": scope.can_ledger(user, "delete", self.ledger),
            **extra,
        }


class LedgerListView(LedgerMixin, View):
    def get(self, request: HttpRequest, ledger: str) -> HttpResponse:
        filterset, qs = self.filtered()
        columns = list(self.ledger.list_display)
        order = request.GET.get("o", "")
        if order.lstrip("-") in columns:
            qs = qs.order_by(order, "-pk")
        else:
            qs = qs.order_by(*self.ledger.ordering)
        related = [
            c.split("__")[0] for c in columns if self.ledger.field(c.split("__")[0]).is_relation
        ]
        qs = qs.select_related(*related) if related else qs
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [(obj, [display(obj, c) for c in columns]) for obj in page.object_list]
        query = request.GET.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("o", None)
        headers = [
            {
                "name": c,
                "label": self.ledger.field_label(c),
                "order": ("-" + c) if order == c else c,
                "active": order.lstrip("-") == c,
                "desc": order == "-" + c,
            }
            for c in columns
        ]
        return render(
            request,
            "web/ledger_list.html",
            self.context(
                filterset=filterset,
                page=page,
                rows=rows,
                headers=headers,
                query=query.urlencode(),
                sort_query=sort_query.urlencode(),
                total=page.paginator.count,
            ),
        )


class LedgerExportView(LedgerMixin, View):
    def get(self, request: HttpRequest, ledger: str) -> HttpResponse:
        _, qs = self.filtered()
        stamp = timezone.localdate().strftime("%Y%m%d")
        filename = f"{self.ledger.label}-{stamp}.xlsx"
        if qs.count() > settings.ZHUJIAN_EXPORT_INLINE_ROWS:  # large: a background job
            job = Job.objects.create(
                kind=Job.Kind.EXPORT,
                ledger=self.ledger.name,
                user=request.user,
                params={"query": request.GET.urlencode()},
                filename=filename,
                result_name=filename,
            )
            submit(job)
            return redirect("web:job", pk=job.pk)
        buffer = BytesIO()
        export_rows(self.ledger, qs.order_by("pk"), buffer)
        return xlsx_response(buffer, filename)


class LedgerTemplateView(LedgerMixin, View):
    action = "add"

    def get(self, request: HttpRequest, ledger: str) -> HttpResponse:
        buffer = BytesIO()
        write_template(self.ledger, request.user, buffer)
        return xlsx_response(buffer, f"{self.ledger.label}-导入模板.xlsx")


class LedgerDetailView(LedgerMixin, View):
    def get(self, request: HttpRequest, ledger: str, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.scoped(), pk=pk)
        fields = [
            (f.verbose_name, display(obj, f.name))
            for f in self.ledger.model._meta.concrete_fields
            if f.name != "id"
        ]
        return render(
            request,
            "web/ledger_detail.html",
            self.context(
                object=obj,
                fields=fields,
                related=self.related(obj),
                panels=[
                    panel
                    for fn in registry.detail_panels
                    if (panel := fn(self.ledger, obj, request.user))
                ],
                history=history_of(obj),
            ),
        )

    def related(self, obj: models.Model) -> list[dict[str, Any]]:
        """Records of other ledgers that point at this one (e.g. a project's progress reports)."""
        out = []
        for rel in self.ledger.model._meta.related_objects:
            target = registry.find(rel.related_model)
            if target is None or not rel.one_to_many:
                continue
            qs = scope.restrict(
                rel.related_model._default_manager.filter(**{rel.field.name: obj}),
                self.request.user,
            )
            items = list(qs.order_by(*target.ordering)[:50])
            columns = [c for c in target.list_display if c != rel.field.name]
            out.append(
                {
                    "ledger": target,
                    "field": rel.field.name,
                    "headers": [target.field_label(c) for c in columns],
                    "rows": [(o, [display(o, c) for c in columns]) for o in items],
                    "count": qs.count(),
                }
            )
        return out


def history_of(obj: models.Model) -> list[dict[str, Any]]:
    """Audit entries newest first, each with the fields it changed (before → after)."""
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    out = []
    names: dict[tuple[type[models.Model], Any], str] = {}  # related records, fetched once each
    for i, record in enumerate(records):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                f = obj._meta.get_field(change.field)
                changes.append(
                    {
                        "field": f.verbose_name,
                        "old": _shown(f, change.old, names),
                        "new": _shown(f, change.new, names),
                    }
                )
        out.append(
            {
                "record": record,
                "changes": changes,
                "type": {"+": "新增", "~": "修改", "-": "删除"}[record.history_type],
            }
        )
    return out


def _shown(f: models.Field, value: Any, names: dict[tuple[type[models.Model], Any], str]) -> Any:
    if f.choices:
        return dict(f.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if f.is_relation and value is not None:
        key = (f.related_model, value)
        if key not in names:
            target = f.related_model._default_manager.filter(pk=value).first()
            names[key] = str(target) if target else value
        return names[key]
    return "" if value is None else value


class LedgerEditView(LedgerMixin, View):
    """Create (no pk) or update (pk) a record through the ledger's form."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.action = "change" if "pk" in kwargs else "add"
        return super().dispatch(request, *args, **kwargs)

    def get_object(self, pk: int | None) -> models.Model | None:
        return get_object_or_404(self.scoped("change"), pk=pk) if pk else None

    def initial(self) -> dict[str, Any]:
        """Prefill from the query string (e.g. ?project=5 from a parent's page)."""
        form_fields = set(self.ledger.form_fields or ())
        return {k: v for k, v in self.request.GET.items() if k in form_fields}

    def get(self, request: HttpRequest, ledger: str, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        form = form_for(self.ledger)(instance=obj, user=request.user, initial=self.initial())
        return render(request, "web/ledger_form.html", self.context(form=form, object=obj))

    def post(self, request: HttpRequest, ledger: str, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        form = form_for(self.ledger)(request.POST, request.FILES, instance=obj, user=request.user)
        if form.is_valid():
            with transaction.atomic():
                saved = form.save()
            messages.success(request, f"已保存：{saved}")
            return redirect(self.ledger.url("detail", pk=saved.pk))
        return render(
            request, "web/ledger_form.html", self.context(form=form, object=obj), status=400
        )


class LedgerDeleteView(LedgerMixin, View):
    action = "delete"

    def get(self, request: HttpRequest, ledger: str, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.scoped(), pk=pk)
        return render(request, "web/ledger_delete.html", self.context(object=obj))

    def post(self, request: HttpRequest, ledger: str, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.scoped(), pk=pk)
        label = str(obj)
        try:
            with transaction.atomic():
                obj.delete()
        except models.ProtectedError:
            messages.error(request, f"“{label}”还有关联记录，不能删除；请先删除关联记录。")
            return redirect(self.ledger.url("detail", pk=pk))
        messages.success(request, f"已删除：{label}")
        return redirect(self.ledger.url("list"))


class LedgerImportView(LedgerMixin, View):
    action = "add"

    def get(self, request: HttpRequest, ledger: str) -> HttpResponse:
        recent = Job.objects.filter(
            user=request.user, kind=Job.Kind.IMPORT, ledger=self.ledger.name
        )[:10]
        return render(request, "web/ledger_import.html", self.context(recent=recent))

    def post(self, request: HttpRequest, ledger: str) -> HttpResponse:
        upload = request.FILES.get("file")
        if upload is None or not upload.name.lower().endswith((".xlsx", ".xlsm")):
            messages.error(request, "请选择一个 .xlsx 文件（可先下载导入模板）")
            return redirect(self.ledger.url("import"))
        job = Job.objects.create(
            kind=Job.Kind.IMPORT,
            ledger=self.ledger.name,
            user=request.user,
            file=upload,
            filename=upload.name,
            dry_run=bool(request.POST.get("dry_run")),
        )
        submit(job)  # the worker reads the file: this process never parses it
        return redirect("web:import_job", pk=job.pk)
