"""The audit trail is written on every read of a client's record, so every index on it is
written millions of times. Two go, and on PostgreSQL a third:

- the index on the person alone: the index on the person and time serves every look by person;
- the uniqueness of each event's hash, with on PostgreSQL its index for LIKE: nothing looks an
  event up by its hash, and a keyed hash is a random key, so at five million events each write
  touched index pages no other write did. The chain stays in line through (chain, seq), and each
  event signs the one before it.

Only the indexes are dropped. On SQLite the hash's uniqueness is part of the table itself and
dropping it would mean copying the whole trail into a new table: it stays there until a later
change copies the table anyway."""

from django.conf import settings
from django.db import migrations, models

ACTOR = "audit_auditevent_actor_id_270bb4b7"
HASH_KEY = "audit_auditevent_hash_key"
HASH_LIKE = "audit_auditevent_hash_d0c402da_like"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(f"DROP INDEX IF EXISTS {ACTOR}")
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE audit_auditevent DROP CONSTRAINT IF EXISTS {HASH_KEY}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {HASH_LIKE}")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {ACTOR} ON audit_auditevent ("actor_id")')
    if vendor == "postgresql":
        schema_editor.execute(
            f'ALTER TABLE audit_auditevent ADD CONSTRAINT {HASH_KEY} UNIQUE ("hash")'
        )
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {HASH_LIKE} ON audit_auditevent ("hash" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0006_refused_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="hash",
                    field=models.CharField(max_length=64),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        )
    ]
