from django.apps import AppConfig


class CivilDefenseConfig(AppConfig):
    name = "zhujian.domains.civildefense"
    label = "civildefense"
    verbose_name = "人防"
