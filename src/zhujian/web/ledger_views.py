"""Generic ledger pages: list, detail, create, edit, delete, export, template, import.

Every view takes the ledger name from the URL and everything else from the registry;
every queryset goes through ``scope.restrict``. No ledger has view code of its own.
"""

from __future__ import annotations

import os
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from zhujian.core import codes, deletion, files, invariants, personal, scope, versions, workflows
from zhujian.core.filters import filterset_for
from zhujian.core.models import Job, OrgUnit, Transition, has_history
from zhujian.core.registry import Ledger, registry
from zhujian.imports.excel import export_rows, write_template
from zhujian.imports.workbook import OLD_EXCEL_SUFFIXES, XLS_ADVICE
from zhujian.jobs.tasks import submit
from zhujian.web import units
from zhujian.web.forms import form_for

PAGE_SIZE = 30


def get_ledger(name: str) -> Ledger:
    try:
        return registry.get(name)
    except KeyError:
        raise Http404("没有这个台账") from None


def display(obj: models.Model, name: str, reveal: bool = False) -> Any:
    """A field's value as a person reads it (choice labels, 是/否, related names); a
    personal field (``core.personal``) masked unless ``reveal``."""
    value: Any = obj
    for part in name.split("__"):
        if value is None:
            return ""
        holder = value
        getter = getattr(value, f"get_{part}_display", None)
        value = getter() if getter else getattr(value, part)
    if not reveal and isinstance(holder, models.Model):
        ledger = registry.find(type(holder))
        if ledger is not None and personal.is_personal(ledger, part):
            value = personal.mask(ledger, part, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, FieldFile):
        return files.link(value) or ""
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
            self.request.GET or None, queryset=self.scoped("view"), request=self.request
        )
        if "unit" in filterset.form.fields:  # 乡镇 → 村 cascader; a typed name works too
            filterset.form.fields["unit"].widget = units.UnitCascader(
                attrs={"placeholder_all": "全部"}
            )
        qs = filterset.qs if filterset.is_bound and filterset.is_valid() else self.scoped("view")
        return filterset, qs

    def reveal(self, obj: models.Model, source: str) -> bool:
        """Whether the page shows ``obj``'s personal data in full; if so, record the view."""
        if not personal.personal_fields(self.ledger):
            return False
        if not scope.may_reveal(self.request.user, self.ledger, obj):
            return False
        personal.record(personal.viewer_for(self.request, source), self.ledger, [obj])
        return True

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
        # Personal columns are shown masked: sorting by them would leak their order.
        sortable = {c for c in columns if personal.sortable(self.ledger, c)}
        order = request.GET.get("o", "")
        if order.removeprefix("-") not in sortable:  # "--x" is no column: not a sort either
            order = ""
        if order:
            qs = qs.order_by(order, "-pk")
        else:
            qs = qs.order_by(*self.ledger.ordering)
        related = [
            c.split("__")[0] for c in columns if self.ledger.field(c.split("__")[0]).is_relation
        ]
        qs = qs.select_related(*related) if related else qs
        workflow = workflows.registry.for_model(self.ledger.model)
        stages: list[tuple[str, str]] = []
        stage = request.GET.get("stage", "")
        if workflow is not None:  # 当前阶段: a column and a filter ("初判 done, 鉴定 missing")
            stages = [(s.code, s.label) for s in workflow.steps if not s.optional]
            stages.append(("done", "已办结"))
            if stage == "done":
                qs = qs.exclude(workflow.open_q())
            elif stage in dict(stages):
                qs = qs.filter(workflow.at_q(stage))
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [(obj, [display(obj, c) for c in columns]) for obj in page.object_list]
        if workflow is not None:
            for obj, cells in rows:
                current = workflow.current(obj)
                cells.append(current.label if current else "已办结")
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
                "sortable": c in sortable,
            }
            for c in columns
        ]
        if workflow is not None:
            headers.append({"name": "", "label": "当前阶段"})
        if (at := _township_column(self.ledger, columns, request.user)) is not None:
            towns = units.township_names([obj for obj, _ in rows])
            for obj, cells in rows:
                cells.insert(at, towns.get(obj.pk, ""))
            headers.insert(at, {"name": "", "label": "乡镇（街道）"})
        return render(
            request,
            "web/ledger_list.html",
            self.context(
                stages=stages,
                stage=stage,
                filterset=filterset,
                page=page,
                rows=rows,
                headers=headers,
                query=query.urlencode(),
                sort_query=sort_query.urlencode(),
                total=page.paginator.count,
            ),
        )


def _township_column(ledger: Any, columns: list[str], user: Any) -> int | None:
    """Where a list shows each record's 乡镇（街道）: after its 所属单位 (first column when
    the list has none); None for a township user (all its records are in one) or a ledger
    without org units."""
    if getattr(user, "role", "") == "township":
        return None
    try:
        ledger.model._meta.get_field("org_unit")
    except FieldDoesNotExist:
        return None
    return columns.index("org_unit") + 1 if "org_unit" in columns else 1


def _carried(ledger: Ledger, saved: models.Model) -> dict[str, str]:
    """What the next record entered row by row keeps from the one just saved: its unit
    (as a code), the linked record it belongs to and its dates."""
    carried: dict[str, str] = {}
    for name in ledger.form_fields or ():
        field = ledger.field(name)
        value = getattr(saved, name, None)
        if value in (None, "") or personal.is_personal(ledger, name):
            continue
        if field.is_relation and field.many_to_one:
            carried[name] = value.code if isinstance(value, OrgUnit) else value.pk
        elif isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
            carried[name] = value.isoformat()
    return {k: str(v) for k, v in carried.items()}


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
                # who asked and from where: the personal-data access record of the export
                params={
                    "query": request.GET.urlencode(),
                    "path": request.get_full_path()[:300],
                    "ip": request.META.get("REMOTE_ADDR") or None,
                },
                filename=filename,
                result_name=filename,
            )
            submit(job)
            return redirect(reverse("web:job", args=[job.pk]) + "?auto=1")  # downloads when done
        buffer = BytesIO()
        viewer = personal.viewer_for(request, personal.Source.EXPORT)
        unmask = personal.wants_unmask(request.GET)
        export_rows(self.ledger, qs.order_by("pk"), buffer, viewer=viewer, unmask=unmask)
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
        reveal = self.reveal(obj, personal.Source.PAGE)
        fields = [
            (f.verbose_name, display(obj, f.name, reveal=reveal))
            for f in self.ledger.model._meta.concrete_fields
            if f.name != "id" and f.name not in self.ledger.hidden
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
                history=history_of(obj, request.user),
                no_history=not has_history(type(obj)),
                personal_note=_personal_note(self.ledger, reveal),
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


def _personal_note(ledger: Ledger, revealed: bool) -> str:
    secret = personal.personal_fields(ledger)
    if not secret:
        return ""
    names = "、".join(str(ledger.field(n).verbose_name) for n in secret)
    if revealed:
        return f"{names}显示完整号码：您是该记录的承办人，本次查看已记录留痕。"
    return f"{names}已脱敏显示。"


def history_of(obj: models.Model, user: Any) -> list[dict[str, Any]]:
    """Audit entries newest first, each with the fields it changed (before → after); a
    linked record is named only when ``user`` may see it."""
    if not has_history(type(obj)):
        return []  # a lean ledger (core.models.LeanLedgerModel) keeps no audit trail
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    out = []
    names: dict[tuple[type[models.Model], Any], str] = {}  # related records, fetched once each
    ledger = registry.find(type(obj))  # personal fields are masked in the history, always
    for i, record in enumerate(records):
        previous = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                if ledger is not None and change.field in ledger.hidden:
                    continue  # a credential's digest: not even its change is shown
                f = obj._meta.get_field(change.field)
                old, new = change.old, change.new
                if ledger is not None and personal.is_personal(ledger, f.name):
                    old, new = (
                        personal.mask(ledger, f.name, old),
                        personal.mask(ledger, f.name, new),
                    )
                changes.append(
                    {
                        "field": f.verbose_name,
                        "old": _shown(f, old, names, user),
                        "new": _shown(f, new, names, user),
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


def _shown(
    f: models.Field, value: Any, names: dict[tuple[type[models.Model], Any], str], user: Any
) -> Any:
    if f.choices:
        return dict(f.flatchoices).get(value, value)
    if isinstance(f, models.FileField):  # the file's name, never where it is stored
        name = getattr(value, "name", value)
        return os.path.basename(str(name)) if name else ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if f.is_relation and value is not None:
        key = (f.related_model, value)
        if key not in names:
            related = f.related_model._default_manager.filter(pk=value)
            if registry.find(f.related_model) is not None:  # unit names are public
                related = scope.restrict(related, user)
            target = related.first()
            names[key] = str(target) if target else "（已删除或无权查看的记录）"
        return names[key]
    return "" if value is None else value


class LedgerFileView(LedgerMixin, View):
    """A record's uploaded file, to whoever may see the record (else 404), with safe headers:
    the content type of what the file really is (from the allowlist in ``core.files``),
    ``nosniff``, and a download for anything but an image or PDF."""

    def get(self, request: HttpRequest, ledger: str, pk: int, field: str) -> HttpResponse:
        try:
            model_field = self.ledger.model._meta.get_field(field)
        except FieldDoesNotExist:
            raise Http404("没有这个文件") from None
        if not isinstance(model_field, models.FileField):
            raise Http404("没有这个文件")
        obj = get_object_or_404(self.scoped("view"), pk=pk)
        stored = getattr(obj, field)
        if not stored:
            raise Http404("没有这个文件")
        try:
            handle = stored.open("rb")
        except FileNotFoundError:
            raise Http404("文件已不存在") from None
        name = stored.name.rsplit("/", 1)[-1]
        kind = files.detect(name, handle)
        headers = files.response_headers(kind)
        response = FileResponse(
            handle,
            as_attachment=not (kind and kind.inline),
            filename=name,
            content_type=headers.pop("Content-Type"),
        )
        for header, value in headers.items():
            response[header] = value
        return response


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
        if obj is not None and not self.reveal(obj, personal.Source.EDIT):
            for name in personal.personal_fields(self.ledger):  # never a full value unrecorded
                if name in form.initial:
                    form.initial[name] = personal.mask(self.ledger, name, form.initial[name])
        return render(request, "web/ledger_form.html", self.context(form=form, object=obj))

    def post(self, request: HttpRequest, ledger: str, pk: int | None = None) -> HttpResponse:
        """Validate and save; an edit is checked against the version the form was opened at,
        with the row locked, so a concurrent save is never silently overwritten. The saved
        record is checked against the user's scope again inside the transaction."""
        saved, status = None, 400
        try:
            with transaction.atomic():
                obj = None
                if pk:
                    obj = versions.lock(self.scoped("change"), pk)
                    if obj is None:
                        raise Http404("没有这条记录，或您无权修改")
                before = workflows.snapshot(obj)  # steps change only as their actor would
                form = form_for(self.ledger)(
                    request.POST, request.FILES, instance=obj, user=request.user
                )
                conflict = (
                    versions.check(obj, request.POST.get(versions.VERSION_FIELD)) if obj else None
                )
                if conflict is not None:
                    form.refuse(conflict)
                    status = 409
                elif form.is_valid():
                    saved = form.save()
                    scope.ensure_reachable(saved, request.user, "change")
                    workflows.check_write(request.user, saved, before, Transition.Via.FORM)
        except (PermissionDenied, invariants.RuleViolation) as exc:
            saved = None
            if obj is None:  # the rolled-back insert left its key on the instance
                form.instance.pk = None
                form.instance._state.adding = True
            if isinstance(exc, invariants.RuleViolation):  # a legal rule over several records
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                form.add_error(None, str(exc))
        if saved is not None:
            if not pk and "_next" in request.POST:  # 保存并新增下一条: same unit, dates, parent
                messages.success(request, f"已保存：{saved}。请填写下一条。")
                carried = _carried(self.ledger, saved)
                url = reverse("web:ledger_create", args=[self.ledger.name])
                return redirect(f"{url}?{urlencode(carried)}" if carried else url)
            messages.success(request, f"已保存：{saved}")
            return redirect(self.ledger.url("detail", pk=saved.pk))
        if obj is not None:
            obj.refresh_from_db()  # the page's title and links show the stored record
        return render(
            request, "web/ledger_form.html", self.context(form=form, object=obj), status=status
        )


class LedgerDeleteView(LedgerMixin, View):
    """Delete a record. The page lists what would go along with it (cascaded children,
    per ledger) and needs an explicit confirmation when there is any; a cascade reaching
    records the user may not delete is refused (``core.deletion``)."""

    action = "delete"
    CONFIRM = "confirm_cascade"
    EXPECTED = "expected_children"

    def page(self, obj: models.Model, status: int = 200, **extra: Any) -> HttpResponse:
        return render(
            self.request,
            "web/ledger_delete.html",
            self.context(object=obj, **extra),
            status=status,
        )

    def get(self, request: HttpRequest, ledger: str, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.scoped(), pk=pk)
        try:
            plan = deletion.plan(obj, request.user)
        except models.ProtectedError:
            return self.page(obj, protected=deletion.protected_message(str(obj)))
        return self.page(obj, plan=plan, error=plan.forbidden_message() if plan.forbidden else "")

    def post(self, request: HttpRequest, ledger: str, pk: int) -> HttpResponse:
        error, status = "", 200
        with transaction.atomic():
            obj = versions.lock(self.scoped(), pk)
            if obj is None:
                raise Http404("没有这条记录，或您无权删除")
            label = str(obj)
            try:
                plan = deletion.plan(obj, request.user)
            except models.ProtectedError:
                messages.error(request, deletion.protected_message(label))
                return redirect(self.ledger.url("detail", pk=pk))
            if why := workflows.delete_refusal(request.user, obj):
                error, status = why, 403
            elif plan.forbidden:
                error, status = plan.forbidden_message(), 403
            elif plan.children and not request.POST.get(self.CONFIRM):
                error, status = "请勾选确认：删除该记录将同时删除下列关联记录。", 400
            elif plan.children and request.POST.get(self.EXPECTED) != str(plan.children):
                error = "要一并删除的关联记录在您打开此页面后有了变化，请核对后重新确认。"
                status = 409
            else:
                try:
                    with transaction.atomic():
                        plan.execute()
                except PermissionDenied as exc:  # a record that refuses deletion (a finished draw)
                    messages.error(request, str(exc))
                    return redirect(self.ledger.url("detail", pk=pk))
                except invariants.RuleViolation as exc:  # what stays would break a legal rule
                    error, status = "；".join(exc.messages), 400
        if error:
            return self.page(obj, status=status, plan=plan, error=error)
        along = f"（连同{plan.summary()}）" if plan.children else ""
        messages.success(request, f"已删除：{label}{along}")
        return redirect(self.ledger.url("list"))


class LedgerImportView(LedgerMixin, View):
    action = "add"

    def get(self, request: HttpRequest, ledger: str) -> HttpResponse:
        recent = Job.objects.filter(
            user=request.user, kind=Job.Kind.IMPORT, ledger=self.ledger.name
        )[:10]
        # The columns a file identifies a record by; a code unique per township is
        # matched within the row's township, which comes from its unit (not a column).
        keys = [self.ledger.field_label(k) for k in self.ledger.natural_key if k != codes.FIELD]
        within = "（同一乡镇内）" if codes.FIELD in self.ledger.natural_key else ""
        return render(
            request,
            "web/ledger_import.html",
            self.context(recent=recent, keys=keys, keys_within=within),
        )

    def post(self, request: HttpRequest, ledger: str) -> HttpResponse:
        upload = request.FILES.get("file")
        if upload is not None and upload.name.lower().endswith(OLD_EXCEL_SUFFIXES):
            messages.error(request, XLS_ADVICE)
            return redirect(self.ledger.url("import"))
        if upload is None or not upload.name.lower().endswith((".xlsx", ".xlsm", ".csv")):
            messages.error(request, "请选择一个 .xlsx 或 .csv 文件（可先下载导入模板）")
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
