from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("funds", "0004_alter_disbursement_source_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="fundallocation",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="版本"),
        ),
    ]
