"""Household results keep their reason codes as text and the 住院费用 facts in columns (the JSON object per
household cost the county recompute more than evaluating the criteria); the fingerprint is derived from the
stored facts. Existing rows are converted in place, nothing is recomputed. The household and run keys lose
their own index and database check (see the model); ``first_computed_at`` starts as the last computation."""

from decimal import Decimal

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import assessments.eligibility.fields

HOSPITAL_KEY = "_hospital"


def split_criteria(apps, schema_editor):
    Result = apps.get_model("assessments", "EligibilityResult")
    batch = []
    for result in Result.objects.only("id", "criteria").iterator(chunk_size=2000):
        criteria = dict(result.criteria or {})
        hospital = criteria.pop(HOSPITAL_KEY, None) or {}
        result.reasons = ";".join(f"{code}={reason}" for code, reason in criteria.items())
        result.hospital_records, result.hospital_member_id = hospital.get("records"), hospital.get("member_id")
        result.hospital_ratio, result.hospital_self_paid, result.hospital_total = (
            None if hospital.get(key) is None else Decimal(hospital[key]) for key in ("ratio", "self_paid", "total"))
        batch.append(result)
        if len(batch) == 2000:
            Result.objects.bulk_update(batch, FIELDS)
            batch = []
    Result.objects.bulk_update(batch, FIELDS)


FIELDS = ["reasons", "hospital_records", "hospital_member_id", "hospital_ratio", "hospital_self_paid", "hospital_total"]


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0003_step_deadlines_batch_announcements'),
    ]

    operations = [
        migrations.AddField(
            model_name='eligibilityresult',
            name='hospital_member_id',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='自付比例最高的成员'),
        ),
        migrations.AddField(
            model_name='eligibilityresult',
            name='hospital_ratio',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=9, null=True, verbose_name='住院自付比例（%）'),
        ),
        migrations.AddField(
            model_name='eligibilityresult',
            name='hospital_records',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='住院费用记录数'),
        ),
        migrations.AddField(
            model_name='eligibilityresult',
            name='hospital_self_paid',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='个人自付'),
        ),
        migrations.AddField(
            model_name='eligibilityresult',
            name='hospital_total',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True, verbose_name='住院总费用'),
        ),
        migrations.AddField(
            model_name='eligibilityresult',
            name='reasons',
            field=assessments.eligibility.fields.ReasonCodesField(default=dict, verbose_name='各项指标结论'),
        ),
        migrations.RunPython(split_criteria, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='eligibilityresult',
            name='criteria',
        ),
        migrations.RemoveField(
            model_name='eligibilityresult',
            name='data_fingerprint',
        ),
        migrations.AlterField(
            model_name='eligibilityresult',
            name='household',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='eligibility_results', to='households.household', verbose_name='户'),
        ),
        migrations.AlterField(
            model_name='eligibilityresult',
            name='run',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='household_results', to='assessments.recomputerun', verbose_name='重算批次'),
        ),
        migrations.AddField(
            model_name='eligibilityresult',
            name='first_computed_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='首次计算时间'),
            preserve_default=False,
        ),
        # The earliest time known for a result already stored is its last computation.
        migrations.RunSQL("UPDATE assessments_eligibilityresult SET first_computed_at = computed_at",
                          migrations.RunSQL.noop),
    ]
