from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "zhujian.domains.plans"
    label = "plans"
    verbose_name = "工作计划"
