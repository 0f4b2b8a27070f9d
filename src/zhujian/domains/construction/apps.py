from django.apps import AppConfig


class ConstructionConfig(AppConfig):
    name = "zhujian.domains.construction"
    label = "construction"
    verbose_name = "建筑行业监管"
