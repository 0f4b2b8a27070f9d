from __future__ import annotations

from django.urls import path

from zhujian.requests import views

app_name = "requests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_create, name="create"),
    path("rates/", views.rates_page, name="rates"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("submission/<int:pk>/", views.assignment_page, name="assignment"),
]
