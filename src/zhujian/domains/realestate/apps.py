from django.apps import AppConfig


class RealestateConfig(AppConfig):
    name = "zhujian.domains.realestate"
    label = "realestate"
    verbose_name = "房地产市场"
