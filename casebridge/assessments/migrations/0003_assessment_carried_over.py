from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0002_assessment_addendum_and_more'),
    ]

    operations = [
        migrations.AddField(
            model_name='assessment',
            name='carried_over',
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
