from __future__ import annotations

from django.urls import path

from zhujian.statistics import views

app_name = "statistics"

urlpatterns = [
    path("", views.return_page, name="return"),
    path("download/", views.download, name="download"),
    path("ready/", views.mark_ready, name="ready"),
    path("cell/", views.cell, name="cell"),
]
