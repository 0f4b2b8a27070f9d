from zhujian.core.registry import Ledger, registry
from zhujian.domains.party import demo
from zhujian.domains.party.models import CoBuildProject, PartyActivity, PartyDocument

registry.register(
    Ledger(
        model=PartyActivity,
        line="party",
        list_display=["held_on", "kind", "topic", "org_unit", "participants"],
        filters=["kind", "held_on", "campaign"],
        search=["topic", "location"],
        natural_key=["org_unit", "held_on", "kind", "topic"],
        date_field="held_on",
        ordering=["-held_on", "-id"],
        demo=demo.activities,
    )
)
registry.register(
    Ledger(
        model=CoBuildProject,
        line="party",
        list_display=["name", "org_unit", "partner", "status", "completed_on"],
        filters=["status", "completed_on"],
        search=["name", "partner"],
        natural_key=["org_unit", "name"],
        date_field="completed_on",
        demo=demo.cobuild,
    )
)
registry.register(
    Ledger(
        model=PartyDocument,
        line="party",
        list_display=["issued_on", "number", "title", "kind"],
        filters=["kind", "issued_on"],
        search=["title", "number"],
        natural_key=["number"],
        date_field="issued_on",
        ordering=["-issued_on"],
        demo=demo.documents,
    )
)
