from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("generator_app", "0005_run_dispatched_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainingrun",
            name="imported_from",
            field=models.CharField(
                blank=True,
                help_text="Where the record of a run trained elsewhere came from (a shipped generator's card); "
                "empty for runs trained by this site's workers.",
                max_length=300,
            ),
        ),
    ]
