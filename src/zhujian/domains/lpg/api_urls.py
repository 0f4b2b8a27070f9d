from __future__ import annotations

from django.urls import path

from zhujian.domains.lpg import api

urlpatterns = [
    path("scans/", api.ScanUploadView.as_view(), name="lpg_scans"),
    path("device/", api.DeviceInfoView.as_view(), name="lpg_device"),
    path("check/<str:code>/", api.CheckView.as_view(), name="lpg_check"),
    path("cylinders/<str:code>/trace/", api.TraceView.as_view(), name="lpg_trace"),
]
