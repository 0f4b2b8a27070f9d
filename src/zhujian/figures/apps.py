from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "zhujian.figures"
    label = "figures"
    verbose_name = "指标"
