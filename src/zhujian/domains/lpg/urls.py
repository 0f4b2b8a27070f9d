from __future__ import annotations

from django.urls import path

from zhujian.domains.lpg import views

app_name = "lpg"

urlpatterns = [
    path("", views.search, name="search"),
    path("cylinders/<str:code>/", views.cylinder_page, name="cylinder"),
    path("cylinders/<str:code>/label.svg", views.label, name="label"),
    path("customers/<str:code>/", views.customer_page, name="customer"),
    path("labels/", views.label_sheet, name="labels"),
    path("devices/<int:pk>/token/", views.issue_token, name="issue_token"),
    path("devices/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
]
