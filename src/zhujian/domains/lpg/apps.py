from django.apps import AppConfig


class LpgConfig(AppConfig):
    name = "zhujian.domains.lpg"
    label = "lpg"
    verbose_name = "瓶装液化气安全监管"
