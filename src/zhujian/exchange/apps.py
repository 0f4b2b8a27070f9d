from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "zhujian.exchange"
    label = "exchange"
    verbose_name = "上报中心"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each domain declares the adapters of the platforms its records go to.
        autodiscover_modules("exchange")
        from zhujian.exchange import panels  # noqa: F401  (record panel, 待办 items)
