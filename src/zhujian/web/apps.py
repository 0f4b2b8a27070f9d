from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zhujian.web"
    label = "web"
    verbose_name = "网页界面"

    def ready(self) -> None:
        from zhujian.api.schema import name_choice_sets
        from zhujian.web import (
            deadline_views,  # noqa: F401  (registers the deadline panel)
            tag_views,  # noqa: F401  (registers the report-tag panel)
            workbench,  # noqa: F401  (registers the stage-bar panel)
        )

        name_choice_sets()
