"""Signed quarterly reports are kept at the database like the audit trail: the table owner cannot empty the table
while it holds a signed report. PostgreSQL only (the trigger is PostgreSQL's)."""
import datetime

import pytest
from django.db import DatabaseError, connection, transaction

from conftest import COUNTY
from reports.models import QuarterlyReport, ReportStatus


def _refused_as_owner(statement, params=None):
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as cursor:
        # The test's own inserts leave deferred foreign-key checks pending, which TRUNCATE would trip over first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(statement, params)
    return str(raised.value)


def test_truncate_of_signed_reports_is_refused(areas, leading_group_staff):
    # Stored directly (the trigger is what is tested; the signing workflow has its own tests).
    QuarterlyReport.objects.create(
        area=areas[COUNTY], year=2026, quarter=1, as_of=datetime.date(2026, 3, 31), status=ReportStatus.SIGNED,
        generated_by=leading_group_staff, signed_by=leading_group_staff, signed_sha256="3" * 64,
        signed_at=datetime.datetime(2026, 4, 2, tzinfo=datetime.UTC),
    )
    assert "已签发" in _refused_as_owner("TRUNCATE reports_quarterlyreport CASCADE")
    assert QuarterlyReport.objects.count() == 1
