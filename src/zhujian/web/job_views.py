"""Background job pages: progress (polled by htmx), error list and result downloads.

A job is visible to the user who started it only; anyone else gets a 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views import View

from zhujian.core import personal
from zhujian.core.models import Job
from zhujian.core.registry import Ledger, registry
from zhujian.jobs import progress

#: A job waiting longer than this with no worker alive gets a note on its page.
NO_WORKER_NOTE_AFTER = dt.timedelta(seconds=10)


def own_job(request: HttpRequest, pk: int) -> Job:
    return get_object_or_404(Job, pk=pk, user=request.user)


def waiting_note(job: Job) -> str:
    """Why a job has not started, when the reason is that no worker is running."""
    if job.status != Job.Status.PENDING or timezone.now() - job.created_at < NO_WORKER_NOTE_AFTER:
        return ""
    if progress.fresh_workers():
        return "前面还有其他任务，请稍候。"
    return "后台任务服务（zhujian worker）目前没有运行，任务会在它启动后开始。请联系系统管理员。"


def _ledger(job: Job) -> Ledger | None:
    try:
        return registry.get(job.ledger) if job.ledger else None
    except KeyError:  # a ledger removed since
        return None


class JobView(LoginRequiredMixin, View):
    """The job's page; with ``HX-Request`` only its progress block, for polling."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = own_job(request, pk)
        progress.overlay(job)
        ledger = _ledger(job)
        context = {"job": job, "ledger": ledger, "note": waiting_note(job)}
        if request.headers.get("HX-Request"):
            return render(request, "web/_job_progress.html", context)
        return render(request, "web/job.html", context)


class JobErrorsView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = own_job(request, pk)
        personal.no_store(request)  # the rows of one's own file, perhaps personal data
        if not job.error_report:
            raise Http404("没有错误清单")
        return FileResponse(
            job.error_report.open("rb"), as_attachment=True, filename=f"错误清单-{job.filename}"
        )


class JobMarkedView(LoginRequiredMixin, View):
    """The user's own file with its bad cells filled red and commented."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = own_job(request, pk)
        personal.no_store(request)  # the rows of one's own file, perhaps personal data
        if not job.marked_file:
            raise Http404("没有标出错误的文件")
        stem = job.filename.rsplit(".", 1)[0] if "." in job.filename else job.filename
        return FileResponse(
            job.marked_file.open("rb"), as_attachment=True, filename=f"标出错误-{stem}.xlsx"
        )


class JobResultView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = own_job(request, pk)
        personal.no_store(request)  # an export may hold full personal values
        if job.status != Job.Status.DONE or not job.result:
            raise Http404("该任务没有可下载的文件")
        return FileResponse(
            job.result.open("rb"), as_attachment=True, filename=job.result_name or job.filename
        )


class JobListView(LoginRequiredMixin, View):
    """The user's recent jobs of every kind."""

    def get(self, request: HttpRequest) -> HttpResponse:
        jobs = list(Job.objects.filter(user=request.user)[:50])
        progress.overlay(*jobs)
        return render(request, "web/jobs.html", {"jobs": jobs})
