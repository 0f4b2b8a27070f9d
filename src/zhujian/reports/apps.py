from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "zhujian.reports"
    label = "reports"
    verbose_name = "报告"
