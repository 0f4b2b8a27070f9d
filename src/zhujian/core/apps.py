from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhujian.core"
    label = "core"
    verbose_name = "基础数据"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each domain app declares its ledgers and figures in modules of these names.
        autodiscover_modules("ledgers")
        autodiscover_modules("figures")
        # Legal rules over several records (core.invariants), one module per domain.
        autodiscover_modules("invariants")
        autodiscover_modules("workflows")  # after ledgers: a workflow names its ledger's line
        from zhujian.core import audit, checks, lockout  # noqa: F401  (checks, receivers)

        audit.connect()
        from zhujian.core import sessions

        sessions.connect()
        from zhujian.core import separation

        separation.connect()
        # parameters declared by core's security modules (group 安全)
        from zhujian.core import accounts, apitokens, twofactor  # noqa: F401
