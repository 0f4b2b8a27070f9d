from __future__ import annotations

from django.urls import path

from zhujian.reports import issued_views as views

app_name = "issued"

urlpatterns = [
    path("", views.issued_list, name="list"),
    path("issue/", views.issue_view, name="issue"),
    path("<int:pk>/", views.issued_detail, name="detail"),
    path("<int:pk>/file.<slug:fmt>", views.issued_file, name="file"),
]
