from django.apps import AppConfig


class HazardsConfig(AppConfig):
    name = "zhujian.hazards"
    label = "hazards"
    verbose_name = "隐患闭环"
