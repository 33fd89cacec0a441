"""App config for clients: registers the timeline kinds of the client record itself, follows
changes to the programs' contact rules, and keeps SQLite's name index and caseload orders
after each migrate."""

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_delete, post_migrate, post_save, pre_migrate


class ClientsConfig(AppConfig):
    name = "casebridge.clients"
    label = "clients"

    def ready(self) -> None:
        from casebridge.accounts.models import ProgramModelRule
        from casebridge.clients.extensions import TimelineEntryKind, register_timeline_kind
        from casebridge.clients.models import TimelineKind
        from casebridge.clients.receivers import contact_rule_changed

        # After every migrate: SQLite loses the name index's triggers and the indexes no model
        # declares when it rebuilds the clients table to alter it (clients.name_search,
        # clients.sqlite_order).
        post_migrate.connect(
            _sqlite_extras_ready, sender=self, dispatch_uid="clients.sqlite_extras_ready"
        )
        pre_migrate.connect(
            _orders_set_aside, sender=self, dispatch_uid="clients.sqlite_order_set_aside"
        )
        for signal in (post_save, post_delete):
            signal.connect(
                contact_rule_changed,
                sender=ProgramModelRule,
                dispatch_uid=f"clients.contact_rule_changed.{signal is post_save}",
            )

        # Flag notes can quote what a client said on a screen, and an emergency access carries
        # the reason given: both are for clinical staff. The rest is what coaching needs.
        clinical = {TimelineKind.FLAG, TimelineKind.ACCESS}
        for kind in TimelineKind:
            register_timeline_kind(
                TimelineEntryKind(
                    code=kind.value,
                    label=str(kind.label),
                    needs_action="read_clinical" if kind in clinical else "view",
                )
            )


def _sqlite_extras_ready(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from casebridge.clients import name_search, sqlite_order

    name_search.install(connections[using])
    sqlite_order.install(connections[using])


def _orders_set_aside(sender: Any, using: str = "default", plan: Any = None, **kwargs: Any) -> None:
    from casebridge.clients import sqlite_order

    sqlite_order.set_aside(connections[using], plan or [])
