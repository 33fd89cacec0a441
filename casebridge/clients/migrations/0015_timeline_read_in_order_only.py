"""The timeline's index on the client alone goes: timeline_in_order starts with the client and
serves every look by client. With both, PostgreSQL chose the one-column index whenever its
statistics still counted a few entries for a client that had ten thousand, and read and sorted
all of them for a page of fifty.

Only the index is dropped (by the name Django gave it on both databases); a change of the field
itself would make SQLite copy the whole timeline into a new table."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "clients_timelineentry_client_id_db31de37"


class Migration(migrations.Migration):
    dependencies = [("clients", "0014_name_search_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="timelineentry",
                    name="client",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="timeline",
                        to="clients.client",
                    ),
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {INDEX}",
                    f'CREATE INDEX IF NOT EXISTS {INDEX} ON "clients_timelineentry" ("client_id")',
                )
            ],
        )
    ]
