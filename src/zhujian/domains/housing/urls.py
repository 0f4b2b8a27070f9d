from django.urls import path

from zhujian.domains.housing import views

app_name = "housing"

urlpatterns = [
    path("draws/verify/", views.verify_page, name="verify"),
    path("draws/result/", views.lookup_page, name="lookup"),
    path("draws/<int:pk>/", views.draw_page, name="draw"),
    path("draws/<int:pk>/freeze/", views.freeze, name="freeze"),
    path("draws/<int:pk>/inputs/", views.add_input, name="add_input"),
    path("draws/<int:pk>/beacon/", views.set_beacon, name="set_beacon"),
    path("draws/<int:pk>/run/", views.run, name="run"),
    path("draws/<int:pk>/redraw/", views.redraw, name="redraw"),
    path("draws/<int:pk>/round.json", views.round_json, name="round_json"),
    path("draws/<int:pk>/announcement.xlsx", views.round_xlsx, name="round_xlsx"),
    path("draws/<int:pk>/announcement.docx", views.round_docx, name="round_docx"),
    path("draws/<int:pk>/check/", views.round_check, name="round_check"),
]
