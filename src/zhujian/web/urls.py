from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import include, path

from zhujian.core import sessions
from zhujian.web import (
    account_views,
    audit_views,
    dashboard,
    deadline_views,
    job_views,
    param_views,
    tag_views,
    units,
    views,
    workbench,
)
from zhujian.web import ledger_views as lv

app_name = "web"

ledger_patterns = [
    path("", lv.LedgerListView.as_view(), name="ledger_list"),
    path("new/", lv.LedgerEditView.as_view(), name="ledger_create"),
    path("export.xlsx", lv.LedgerExportView.as_view(), name="ledger_export"),
    path("template.xlsx", lv.LedgerTemplateView.as_view(), name="ledger_template"),
    path("import/", lv.LedgerImportView.as_view(), name="ledger_import"),
    path("<int:pk>/", lv.LedgerDetailView.as_view(), name="ledger_detail"),
    path("<int:pk>/edit/", lv.LedgerEditView.as_view(), name="ledger_update"),
    path("<int:pk>/delete/", lv.LedgerDeleteView.as_view(), name="ledger_delete"),
    path("<int:pk>/tags/", tag_views.change_tags, name="ledger_tags"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("workbench/", workbench.workbench, name="workbench"),
    path("workbench/overdue/", workbench.overdue_list, name="workbench_overdue"),
    path("work/<slug:workflow>/<int:pk>/", workbench.work_step, name="work_step"),
    path("work/<slug:workflow>/<int:pk>/remind/", workbench.remind, name="work_remind"),
    path("dashboard/data.json", dashboard.data, name="dashboard_data"),
    path("dashboard/units.json", dashboard.unit_data, name="dashboard_units"),
    path("dashboard/ledgers/", dashboard.ledger_overview, name="dashboard_ledgers"),
    path("units/options.json", units.options, name="unit_options"),
    path("ledgers/<slug:ledger>/", include(ledger_patterns)),
    path(
        "files/<slug:ledger>/<int:pk>/<str:field>/", lv.LedgerFileView.as_view(), name="ledger_file"
    ),
    path("deadlines/<slug:ledger>/", deadline_views.deadline_list, name="deadlines"),
    # background jobs (imports, report files, large exports); /imports/ are the old addresses
    path("jobs/", job_views.JobListView.as_view(), name="jobs"),
    path("jobs/<int:pk>/", job_views.JobView.as_view(), name="job"),
    path("jobs/<int:pk>/result/", job_views.JobResultView.as_view(), name="job_result"),
    path("imports/<int:pk>/", job_views.JobView.as_view(), name="import_job"),
    path("imports/<int:pk>/errors.xlsx", job_views.JobErrorsView.as_view(), name="import_errors"),
    path("imports/<int:pk>/marked.xlsx", job_views.JobMarkedView.as_view(), name="import_marked"),
    path("figures/", views.figure_catalog, name="figures"),
    path("figures/<str:figure_id>/records/", views.figure_records, name="figure_records"),
    path("report/", views.report_page, name="report"),
    path("report/download/", views.report_download, name="report_download"),
    # 参数设置 (系统管理): declared parameters and the holiday calendar
    path("params/", param_views.params_page, name="params"),
    path("params/calendar/new/", param_views.calendar_year_edit, name="calendar_year_new"),
    path("params/calendar/<int:year>/", param_views.calendar_year_edit, name="calendar_year"),
    path("params/<str:key>/", param_views.param_edit, name="param_edit"),
    # 安全审计 (审计管理员 only) and the inactive-accounts report (系统管理员)
    path("audit/", audit_views.audit_list, name="audit"),
    path("audit/export.xlsx", audit_views.audit_export, name="audit_export"),
    path("accounts/inactive/", audit_views.inactive_accounts, name="inactive_accounts"),
]

# login/logout and the password change live outside the "web" namespace, under the names
# Django's own views and settings use.
auth_urlpatterns = [
    path("accounts/login/", account_views.ZhujianLoginView.as_view(), name="login"),
    # the second factor (core.twofactor) and the user's API tokens (core.apitokens)
    path("accounts/otp/", account_views.otp_verify, name="otp_verify"),
    path("accounts/otp/enrol/", account_views.otp_enrol, name="otp_enrol"),
    path("accounts/otp/recovery/", account_views.otp_recovery, name="otp_recovery"),
    path("accounts/otp/recovery/new/", account_views.otp_new_recovery, name="otp_new_recovery"),
    path("accounts/security/", account_views.account_security, name="account_security"),
    path("accounts/tokens/<int:pk>/revoke/", account_views.token_revoke, name="api_token_revoke"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        # named templates: the admin's registration/ templates would win otherwise
        auth_views.PasswordChangeView.as_view(template_name="web/password_change_form.html"),
        name="password_change",
    ),
    path("accounts/keepalive/", sessions.keepalive, name="keepalive"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html"),
        name="password_change_done",
    ),
]
