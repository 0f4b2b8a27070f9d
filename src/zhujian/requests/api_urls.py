from __future__ import annotations

from django.urls import path

from zhujian.requests import api

urlpatterns = [
    path("submissions/", api.SubmissionList.as_view(), name="api_submissions"),
    path("submissions/<int:pk>/", api.SubmissionDetail.as_view(), name="api_submission"),
    path(
        "submissions/<int:pk>/<slug:action>/",
        api.SubmissionStep.as_view(),
        name="api_submission_step",
    ),
]
