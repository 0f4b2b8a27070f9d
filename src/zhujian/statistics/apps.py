from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    name = "zhujian.statistics"
    label = "statistics"
    verbose_name = "城乡建设统计年报"
