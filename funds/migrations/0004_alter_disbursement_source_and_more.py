"""The ledger's sources now point at 资金来源 in the 项目库 (same table): state only."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('funds', '0003_allocation_publication_and_delay_attribution'),
        ('projects', '0002_fundsource_alter_projectbudgetline_source'),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[
        migrations.AlterField(
            model_name='disbursement',
            name='source',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='projects.fundsource', verbose_name='资金来源'),
        ),
        migrations.AlterField(
            model_name='fundallocation',
            name='source',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='allocations', to='projects.fundsource', verbose_name='资金来源'),
        ),
        migrations.AlterField(
            model_name='spendratio',
            name='source',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='projects.fundsource', verbose_name='资金来源'),
        ),
        migrations.DeleteModel(
            name='FundSource',
        )])]
