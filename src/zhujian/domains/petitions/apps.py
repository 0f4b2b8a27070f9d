from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "zhujian.domains.petitions"
    label = "petitions"
    verbose_name = "信访"
