from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from zhujian.api import figure_views
from zhujian.api.views import viewset_for
from zhujian.core.registry import registry

router = DefaultRouter()
for ledger in registry:
    router.register(f"ledgers/{ledger.name}", viewset_for(ledger), basename=ledger.name)

# The schema and its browsable docs describe every ledger and field: only for signed-in
# users. The schema answers 401/403 like the rest of the API (SERVE_PERMISSIONS); the docs
# page sends a browser to the login page. Swagger UI's start-up script is served as a file
# of its own (the "split" view), so the page needs no inline script under the CSP. (There
# is no ReDoc page: ReDoc needs inline styles and loads its logo from the internet.)
urlpatterns = [
    path("", include(router.urls)),
    path("figures/", figure_views.FigureValuesView.as_view(), name="api_figures"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="schema", template_name="api/swagger_ui.html"
            )
        ),
        name="swagger-ui",
    ),
]
