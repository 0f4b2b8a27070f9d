from __future__ import annotations

from django.urls import path

from zhujian.domains.sitemonitor import views

app_name = "sitemonitor"

urlpatterns = [
    path("", views.site_list, name="sites"),
    path("sites/<int:pk>/", views.site_page, name="site"),
    path("sites/<int:pk>/data.json", views.site_data, name="site_data"),
]
