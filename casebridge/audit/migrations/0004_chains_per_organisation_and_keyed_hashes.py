"""One chain per organisation, hashed with a key kept outside the database.

Rows already written keep their unkeyed SHA-256 chain: they become the "legacy" chain (scheme
"sha256", ordered by id) and still verify as they did. The old one-row head becomes that chain's
head, with its length. New chains start from the legacy chain's last hash, so the first keyed
row of each chain seals every row written before it.

No row of the append-only table is updated: the new columns are added with the legacy values as
their default (on PostgreSQL an added column fires no UPDATE trigger). Going back is possible
only before keyed rows are written; the old code cannot verify them.
"""

from django.core.management.color import no_style
from django.db import migrations, models


def seal_legacy_chain(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    connection = schema_editor.connection
    db = connection.alias
    # The old code created its one head with an explicit id (1), so PostgreSQL's id sequence
    # never moved: the next head would be given id 1 again.
    for sql in connection.ops.sequence_reset_sql(no_style(), [AuditChainHead]):
        schema_editor.execute(sql)
    legacy = AuditEvent.objects.using(db).filter(chain="legacy")
    last = legacy.order_by("-id").first()
    if last is None:
        return
    heads = AuditChainHead.objects.using(db)
    if not heads.filter(chain="legacy").exists():
        heads.create(chain="legacy", last_hash=last.hash)
    # The head keeps the hash it had: if it does not match the newest row, verifying says so.
    heads.filter(chain="legacy").update(last_seq=legacy.count(), last_event_id=last.pk)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_auditevent_action_refused")]

    operations = [
        migrations.AddField(
            model_name="auditchainhead",
            name="chain",
            # The one head there was is the legacy chain's.
            field=models.CharField(default="legacy", max_length=32, unique=True),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="last_event_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="last_seq",
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.CharField(default="legacy", max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="scheme",
            field=models.CharField(
                choices=[
                    ("sha256", "SHA-256, unkeyed (before keyed hashing)"),
                    ("hmac-sha256-v1", "HMAC-SHA256 with the audit key"),
                ],
                default="sha256",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="audit_event_one_per_position"
            ),
        ),
        migrations.RunPython(seal_legacy_chain, migrations.RunPython.noop),
    ]
