from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from zhujian.figures.models import Fact


@admin.register(Fact)
class FactAdmin(SimpleHistoryAdmin):
    list_display = ["key", "value", "note"]
