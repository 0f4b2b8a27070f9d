"""Stored templates (the default one copied into the database, and staff copies of it)
stop printing “已经全部办结” whatever the data say: the closure is computed, followed by the
two rates a petition office is assessed on (issue 20). Templates whose sentence was edited
are left alone."""

from __future__ import annotations

from django.db import migrations

OLD = "{{ petition.hotline }}件，已经全部办结。"
NEW = (
    "{{ petition.hotline }}件，{{ petition.closure }}；在告知期限内书面告知受理与否"
    "{{ petition.noticed_in_time }}件，及时受理率{{ petition.timely_acceptance_rate }}%；"
    "在办理期限内办结{{ petition.closed_in_time }}件，按期办结率"
    "{{ petition.on_time_closure_rate }}%。"
)


def forwards(apps, schema_editor) -> None:
    ReportTemplate = apps.get_model("reports", "ReportTemplate")
    for template in ReportTemplate.objects.filter(body__contains=OLD):
        template.body = template.body.replace(OLD, NEW)
        template.save(update_fields=["body"])


def backwards(apps, schema_editor) -> None:
    ReportTemplate = apps.get_model("reports", "ReportTemplate")
    for template in ReportTemplate.objects.filter(body__contains=NEW):
        template.body = template.body.replace(NEW, OLD)
        template.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
