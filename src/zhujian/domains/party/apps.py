from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "zhujian.domains.party"
    label = "party"
    verbose_name = "党建"
