from django.apps import AppConfig


class WagesConfig(AppConfig):
    name = "zhujian.domains.wages"
    label = "wages"
    verbose_name = "农民工工资"
