"""Load the built-in Casebridge taxonomy (data/casebridge_taxonomy.json), shared by all agencies."""

from django.db import migrations


def load(apps, schema_editor):
    from casebridge.directory.taxonomy import load_builtin_taxonomy

    load_builtin_taxonomy(
        apps.get_model("directory", "Taxonomy"), apps.get_model("directory", "TaxonomyTerm")
    )


def unload(apps, schema_editor):
    from casebridge.directory.taxonomy import unload_builtin_taxonomy

    unload_builtin_taxonomy(
        apps.get_model("directory", "Taxonomy"), apps.get_model("directory", "TaxonomyTerm")
    )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
