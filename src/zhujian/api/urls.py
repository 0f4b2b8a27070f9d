from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from zhujian.api import figure_views
from zhujian.api.views import viewset_for
from zhujian.core.registry import registry

router = DefaultRouter()
for ledger in registry:
    router.register(f"ledgers/{ledger.name}", viewset_for(ledger), basename=ledger.name)

urlpatterns = [
    path("", include(router.urls)),
    path("figures/", figure_views.FigureValuesView.as_view(), name="api_figures"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
]
