from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from zhujian.web.urls import auth_urlpatterns

urlpatterns = [
    *auth_urlpatterns,
    path("admin/", admin.site.urls),
    path("api/", include("zhujian.api.urls")),
    path("report/templates/", include("zhujian.reports.urls")),
    path("hazards/", include("zhujian.hazards.urls")),
    path("housing/", include("zhujian.domains.housing.urls")),
    path("", include("zhujian.web.urls")),
]
