from django.apps import AppConfig


class HousingConfig(AppConfig):
    name = "zhujian.domains.housing"
    label = "housing"
    verbose_name = "住房保障"

    def ready(self) -> None:
        from zhujian.domains.housing import views  # noqa: F401  (the draw panel on round pages)
