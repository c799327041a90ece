"""The audit trail is append-only at the database (PostgreSQL triggers; 等保 level 3 audit protection).

- accounts_auditevent: UPDATE and TRUNCATE are refused; DELETE only of a row covered by an AuditArchive row
  (id within first_id..last_id, older than the archive's ``before`` date and more than 184 days old), which is
  what ``manage.py archive_audit`` does after writing the archive file.
- accounts_auditarchive: no UPDATE, DELETE or TRUNCATE.

A table's owner can still ``ALTER TABLE … DISABLE TRIGGER``: the application therefore runs as a role that
does not own the tables (``manage.py grant_app_role``). On SQLite (the embedded demo) this migration does
nothing.
"""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION '审计日志只能追加，不能清空（TRUNCATE）' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF OLD.at < now() - interval '184 days' AND EXISTS (
            SELECT 1 FROM accounts_auditarchive archive
            WHERE OLD.id BETWEEN archive.first_id AND archive.last_id AND OLD.at < archive.before
        ) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '审计日志只能追加，不能删除（id=%）：只有已归档且保存满 184 天的记录可由归档命令移除', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RAISE EXCEPTION '审计日志只能追加，不能修改（id=%）', OLD.id USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS accounts_auditevent_no_change ON accounts_auditevent;
CREATE TRIGGER accounts_auditevent_no_change BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_append_only();
DROP TRIGGER IF EXISTS accounts_auditevent_no_truncate ON accounts_auditevent;
CREATE TRIGGER accounts_auditevent_no_truncate BEFORE TRUNCATE ON accounts_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditevent_append_only();

CREATE OR REPLACE FUNCTION accounts_auditarchive_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计日志归档记录不能修改、删除或清空（%）', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS accounts_auditarchive_no_change ON accounts_auditarchive;
CREATE TRIGGER accounts_auditarchive_no_change BEFORE UPDATE OR DELETE ON accounts_auditarchive
    FOR EACH ROW EXECUTE FUNCTION accounts_auditarchive_immutable();
DROP TRIGGER IF EXISTS accounts_auditarchive_no_truncate ON accounts_auditarchive;
CREATE TRIGGER accounts_auditarchive_no_truncate BEFORE TRUNCATE ON accounts_auditarchive
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditarchive_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS accounts_auditevent_no_change ON accounts_auditevent;
DROP TRIGGER IF EXISTS accounts_auditevent_no_truncate ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_auditevent_append_only();
DROP TRIGGER IF EXISTS accounts_auditarchive_no_change ON accounts_auditarchive;
DROP TRIGGER IF EXISTS accounts_auditarchive_no_truncate ON accounts_auditarchive;
DROP FUNCTION IF EXISTS accounts_auditarchive_immutable();
"""


def _run(sql):
    def apply(apps, schema_editor):
        # SQLite is only the embedded single-user demo: no triggers there, nothing to do.
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)
    return apply


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_security_foundation")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]
