"""The audit trail is append-only at the database, and the application's role cannot lift that.

PostgreSQL only (the embedded SQLite demo has no triggers or roles). The test database's connection is the
table owner; a separate login role is created, given the application's grants by ``grant_app_role``, and
used through its own psycopg2 connection, as the deployed app would be.
"""
import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from accounts.models import AuditArchive, AuditEvent
from accounts.services import audit_record

# The suite runs on PostgreSQL (make test): the triggers and roles tested here are PostgreSQL's.


def _refused_as_owner(statement, params=None):
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as cursor:
        # The test's own inserts leave deferred foreign-key checks pending, which TRUNCATE would trip over first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(statement, params)
    return str(raised.value)


def test_owner_cannot_update_delete_or_truncate_audit_events(village_cadre_a):
    event = audit_record(actor=village_cadre_a, action="user.update", summary="原始记录")
    assert "不能修改" in _refused_as_owner("UPDATE accounts_auditevent SET summary = 'x' WHERE id = %s", [event.pk])
    assert "不能删除" in _refused_as_owner("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk])
    assert "不能清空" in _refused_as_owner("TRUNCATE accounts_auditevent")
    assert "不能清空" in _refused_as_owner("TRUNCATE accounts_user CASCADE")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="ORM 改写")
    event.refresh_from_db()
    assert event.summary == "原始记录"


def test_archive_register_cannot_be_changed(db):
    archive = AuditArchive.objects.create(before="2020-01-01", first_id=1, last_id=1, event_count=1, head_hash="0" * 64,
                                          file_name="a.jsonl", file_sha256="1" * 64)
    assert "不能修改" in _refused_as_owner("UPDATE accounts_auditarchive SET last_id = 999999 WHERE id = %s", [archive.pk])
    assert "不能修改" in _refused_as_owner("DELETE FROM accounts_auditarchive WHERE id = %s", [archive.pk])
    assert "不能修改" in _refused_as_owner("TRUNCATE accounts_auditarchive")


def test_archived_but_young_rows_still_cannot_be_deleted(village_cadre_a):
    """An archive row alone does not open the door: rows younger than 184 days stay."""
    event = audit_record(actor=village_cadre_a, action="user.update", summary="新记录")
    AuditArchive.objects.create(before="2999-01-01", first_id=event.pk, last_id=event.pk, event_count=1,
                                head_hash="0" * 64, file_name="forged.jsonl", file_sha256="2" * 64)
    assert "不能删除" in _refused_as_owner("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk])


# ---------------------------------------------------------------- the application's role


@pytest.fixture
def app_role(transactional_db):
    """A non-owner login role with the application's grants, and a psycopg2 connection as that role."""
    role = f"{connection.settings_dict['NAME']}_app"[:63]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')
        cursor.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD 'app-role-test-2026'")
    call_command("grant_app_role", role, stdout=open("/dev/null", "w"))
    params = connection.get_connection_params()
    params.update(user=role, password="app-role-test-2026")
    params.pop("cursor_factory", None)
    app = psycopg2.connect(**{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")})
    app.autocommit = True
    yield role, app
    app.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


def _refused_as_app(app, statement, params=None):
    with pytest.raises(psycopg2.Error) as raised, app.cursor() as cursor:
        cursor.execute(statement, params)
    return raised.value


def test_app_role_can_append_and_read_but_not_change_the_audit_trail(app_role, village_cadre_a):
    role, app = app_role
    event = audit_record(actor=village_cadre_a, action="user.update", summary="原始记录")
    with app.cursor() as cursor:
        cursor.execute("SELECT summary FROM accounts_auditevent WHERE id = %s", [event.pk])
        assert cursor.fetchone() == ("原始记录",)
        cursor.execute(
            "INSERT INTO accounts_auditevent (at, action, summary, object_type, object_id, area_code, changes, "
            "user_agent, role, username, outcome) VALUES (now(), 'user.login', '应用写入', '', '', '', '{}', '', '', "
            "'cadre_a', 'success') RETURNING id"
        )
        assert cursor.fetchone()[0] > event.pk
        # The application's ordinary tables stay writable.
        cursor.execute("UPDATE accounts_user SET full_name = full_name WHERE id = %s", [village_cadre_a.pk])

    for statement in ("UPDATE accounts_auditevent SET summary = 'x' WHERE id = %s",
                      "DELETE FROM accounts_auditevent WHERE id = %s"):
        error = _refused_as_app(app, statement, [event.pk])
        assert error.pgcode == "42501"  # insufficient_privilege
    assert _refused_as_app(app, "TRUNCATE accounts_auditevent").pgcode == "42501"
    for statement in ("ALTER TABLE accounts_auditevent DISABLE TRIGGER accounts_auditevent_no_change",
                      "ALTER TABLE accounts_auditevent DISABLE TRIGGER ALL",
                      "DROP TRIGGER accounts_auditevent_no_change ON accounts_auditevent",
                      "DROP FUNCTION accounts_auditevent_append_only() CASCADE"):
        error = _refused_as_app(app, statement)
        assert error.pgcode == "42501", statement
        assert "must be owner" in str(error) or "owner" in str(error)
    assert _refused_as_app(app, "UPDATE accounts_auditarchive SET last_id = 1").pgcode == "42501"
    assert _refused_as_app(app, "INSERT INTO accounts_auditarchive (created_at, before, first_id, last_id, event_count, "
                                "head_hash, file_name, file_sha256, created_by) VALUES (now(), '2000-01-01', 1, "
                                "999999, 1, '', '', '', '')").pgcode == "42501"
    event.refresh_from_db()
    assert event.summary == "原始记录"


def test_grant_app_role_refuses_the_owner_and_unknown_roles(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="表所有者"):
        call_command("grant_app_role", owner)
    with pytest.raises(CommandError, match="不存在"):
        call_command("grant_app_role", "no_such_role_pa_audit")
    with pytest.raises(CommandError, match="不合规"):
        call_command("grant_app_role", "Robert'); DROP TABLE x;--")
