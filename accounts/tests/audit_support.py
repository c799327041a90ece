"""Test-only: let the test runner empty the test database between transactional tests.

Django's ``flush`` (run after every transactional/browser test) TRUNCATEs every table, which the append-only
triggers refuse. Only in the test session, the flush statements are wrapped in ``ALTER TABLE … DISABLE/ENABLE
TRIGGER`` for those triggers, inside the flush's own transaction; the triggers stay in force for everything
else, including the tests that prove them.
"""
from django.db.backends.postgresql.operations import DatabaseOperations

# (table, trigger) pairs that refuse TRUNCATE.
TRUNCATE_TRIGGERS = [
    ("accounts_auditevent", "accounts_auditevent_no_truncate"),
    ("accounts_auditarchive", "accounts_auditarchive_no_truncate"),
    ("reports_quarterlyreport", "reports_signed_no_truncate"),
]


def let_test_flush_pass_truncate_triggers():
    original = DatabaseOperations.sql_flush
    if getattr(original, "passes_truncate_triggers", False):
        return

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if not statements:
            return statements
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE (c.relname, t.tgname) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
                [[table for table, _ in TRUNCATE_TRIGGERS], [trigger for _, trigger in TRUNCATE_TRIGGERS]],
            )
            present = [(table, trigger) for table, trigger in cursor.fetchall() if table in tables]
        disable = [f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}";' for table, trigger in present]
        enable = [f'ALTER TABLE "{table}" ENABLE TRIGGER "{trigger}";' for table, trigger in present]
        return [*disable, *statements, *enable]

    sql_flush.passes_truncate_triggers = True
    DatabaseOperations.sql_flush = sql_flush
