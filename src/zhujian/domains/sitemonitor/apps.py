from django.apps import AppConfig


class SitemonitorConfig(AppConfig):
    name = "zhujian.domains.sitemonitor"
    label = "sitemonitor"
    verbose_name = "智慧工地在线监测"
