from django.urls import path

from zhujian.hazards import api, views

app_name = "hazards"

urlpatterns = [
    path("", views.HazardListView.as_view(), name="list"),
    path("overdue/", views.HazardOverdueView.as_view(), name="overdue"),
    path("new/", views.HazardCreateView.as_view(), name="create"),
    path("<int:pk>/", views.HazardDetailView.as_view(), name="detail"),
    path("<int:pk>/print/", views.HazardNoticeView.as_view(), name="notice_print"),
    path("<int:pk>/<str:step>/", views.HazardStepView.as_view(), name="step"),
    path("api/", api.HazardListAPI.as_view(), name="api_list"),
    path("api/<int:pk>/<str:step>/", api.HazardStepAPI.as_view(), name="api_step"),
]
