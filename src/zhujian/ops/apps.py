from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "zhujian.ops"
    label = "ops"
    verbose_name = "运维"
