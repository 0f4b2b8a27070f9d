from django.apps import AppConfig


class HousingConfig(AppConfig):
    name = "zhujian.domains.housing"
    label = "housing"
    verbose_name = "住房保障"
