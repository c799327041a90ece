"""A signed report row can never be updated or deleted (PostgreSQL trigger; other databases rely on the
services, which refuse the same changes)."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION reports_refuse_signed_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'signed' THEN
        RAISE EXCEPTION '已签发的季度报告（id=%）不能修改或删除', OLD.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS reports_signed_immutable ON reports_quarterlyreport;
CREATE TRIGGER reports_signed_immutable BEFORE UPDATE OR DELETE ON reports_quarterlyreport
    FOR EACH ROW EXECUTE FUNCTION reports_refuse_signed_change();
"""
DROP = """
DROP TRIGGER IF EXISTS reports_signed_immutable ON reports_quarterlyreport;
DROP FUNCTION IF EXISTS reports_refuse_signed_change();
"""


def _run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)
    return apply


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]
