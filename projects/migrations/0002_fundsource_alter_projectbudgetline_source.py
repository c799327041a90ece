"""资金来源 (FundSource) moves from the fund ledger to the 项目库 with its table (``funds_fundsource``): the
state moves, the database does not. Its content type follows, so permissions granted on it stay."""

import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="projects", model="fundsource").exists():
        ContentType.objects.filter(app_label="funds", model="fundsource").update(app_label="projects")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="funds", model="fundsource").exists():
        ContentType.objects.filter(app_label="projects", model="fundsource").update(app_label="funds")


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0001_initial'),
        ('funds', '0003_allocation_publication_and_delay_attribution'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.RunPython(move_content_type, move_content_type_back),
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.CreateModel(
            name='FundSource',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.SlugField(max_length=40, unique=True, verbose_name='代码')),
                ('name', models.CharField(max_length=100, unique=True, verbose_name='名称')),
                ('level', models.CharField(choices=[('central', '中央'), ('province', '省级'), ('city', '市级'), ('county', '县（区）级'), ('township', '乡镇级'), ('social', '社会帮扶')], max_length=10, verbose_name='资金层级')),
                ('kind', models.CharField(choices=[('special', '财政专项扶贫资金'), ('integrated', '统筹整合涉农资金'), ('bond', '新增政府债券'), ('paired', '对口帮扶资金'), ('designated', '定点帮扶资金'), ('donation', '社会捐赠'), ('first_secretary', '第一书记项目资金'), ('interest_subsidy', '贴息资金')], max_length=20, verbose_name='资金类别')),
                ('sort_order', models.PositiveSmallIntegerField(default=0, verbose_name='排序')),
            ],
            options={
                'verbose_name': '资金来源',
                'verbose_name_plural': '资金来源',
                'db_table': 'funds_fundsource',
                'ordering': ['sort_order', 'id'],
            },
        ),
        ]),
        migrations.SeparateDatabaseAndState(state_operations=[migrations.AlterField(
            model_name='projectbudgetline',
            name='source',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='projects.fundsource', verbose_name='资金来源'),
        )]),
    ]
