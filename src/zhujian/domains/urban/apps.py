from django.apps import AppConfig


class UrbanConfig(AppConfig):
    name = "zhujian.domains.urban"
    label = "urban"
    verbose_name = "城市建设与公用事业"
