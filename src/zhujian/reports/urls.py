from __future__ import annotations

from django.urls import path

from zhujian.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.template_list, name="list"),
    path("new/", views.template_create, name="create"),
    path("preview/", views.preview, name="preview"),
    path("<int:pk>/", views.template_edit, name="edit"),
    path("<int:pk>/delete/", views.template_delete, name="delete"),
    path("<int:pk>/reset-default/", views.reset_default, name="reset_default"),
    path("<int:pk>/history/", views.template_history, name="history"),
    path("<int:pk>/history/<int:history_id>/restore/", views.restore, name="restore"),
]
