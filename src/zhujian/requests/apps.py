from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "zhujian.requests"
    label = "datarequests"
    verbose_name = "报送任务"

    def ready(self) -> None:
        from zhujian.requests import providers  # noqa: F401  (待办 items, approval filter)
