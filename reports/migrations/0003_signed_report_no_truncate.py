"""TRUNCATE of the quarterly-report table is refused while it holds a signed report (PostgreSQL trigger).

The row trigger of 0002 refuses UPDATE/DELETE of signed rows, but TRUNCATE fires no row trigger. On SQLite
(the embedded demo) this migration does nothing.
"""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION reports_refuse_signed_truncate() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM reports_quarterlyreport WHERE status = 'signed') THEN
        RAISE EXCEPTION '季度报告表中有已签发的报告，不能清空（TRUNCATE）' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS reports_signed_no_truncate ON reports_quarterlyreport;
CREATE TRIGGER reports_signed_no_truncate BEFORE TRUNCATE ON reports_quarterlyreport
    FOR EACH STATEMENT EXECUTE FUNCTION reports_refuse_signed_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS reports_signed_no_truncate ON reports_quarterlyreport;
DROP FUNCTION IF EXISTS reports_refuse_signed_truncate();
"""


def _run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)
    return apply


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_signed_report_immutable_trigger")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]
