from django.urls import path

from zhujian.exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.upload_list, name="list"),
    path("export.xlsx", views.export, name="export"),
    path("retry-all", views.retry_all, name="retry_all"),
    path("send/<str:target>", views.send, name="send"),
    path("<int:pk>/", views.upload_detail, name="detail"),
    path("<int:pk>/retry", views.retry, name="retry"),
]
