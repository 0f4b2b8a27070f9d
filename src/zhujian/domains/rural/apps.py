from django.apps import AppConfig


class RuralConfig(AppConfig):
    name = "zhujian.domains.rural"
    label = "rural"
    verbose_name = "村镇建设"
