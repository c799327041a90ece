"""人均纯收入 of the income records already stored, recomputed 四舍五入 to the fen (``households.money``).

Records saved before were rounded half to even: 1001 元 ÷ 8 was stored as 125.12 instead of 125.13. Only the
derived figure changes (never an amount someone entered); the eligibility results pick the new figure up at
their next recompute, which sees the income changed.
"""
from django.db import migrations

# PostgreSQL's round(numeric, 2) rounds ties away from zero, as Decimal's ROUND_HALF_UP does.
POSTGRESQL = """
UPDATE households_incomerecord
   SET per_capita_net_income = round(net_income / member_count, 2)
 WHERE member_count > 0 AND per_capita_net_income <> round(net_income / member_count, 2)
"""


def recompute(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
        return
    from households.money import per_head

    income_record = apps.get_model("households", "IncomeRecord")
    for record in income_record.objects.filter(member_count__gt=0).only("net_income", "member_count", "per_capita_net_income"):
        value = per_head(record.net_income, record.member_count)
        if value != record.per_capita_net_income:
            income_record.objects.filter(pk=record.pk).update(per_capita_net_income=value)


class Migration(migrations.Migration):
    dependencies = [("households", "0004_import_job_attempts")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
