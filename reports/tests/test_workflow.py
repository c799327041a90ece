"""draft → reviewed (another person) → signed; a signed report never changes; corrections are new versions."""
import hashlib

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from accounts.models import AuditEvent
from conftest import COUNTY, OTHER_TOWNSHIP, TOWNSHIP
from povalleviation.errors import ApplicationError, Conflict, PermissionDenied
from reports.generation import report_build
from reports.models import QuarterlyReport, ReportStatus
from reports.services import report_correct, report_generate, report_review, report_sign
from reports.tasks import generate_quarterly_report_task
from reports.tests.conftest import make_reviewed_report


def test_generate_requires_the_capability_in_the_area(areas, county_officer, township_officer, leading_group_staff):
    for user in (county_officer, township_officer):
        with pytest.raises(PermissionDenied):
            report_generate(actor=user, area=areas[COUNTY], year=2024, quarter=2)
    assert not QuarterlyReport.objects.exists()


def test_unfinished_quarter_is_refused(today, areas, leading_group_staff):
    with pytest.raises(ApplicationError, match="尚未结束"):
        report_generate(actor=leading_group_staff, area=areas[COUNTY], year=today.year + 1, quarter=1)
    assert not QuarterlyReport.objects.exists()


def test_generation_is_queued_on_commit_and_the_task_is_idempotent(areas, leading_group_staff, report_media,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        report = report_generate(actor=leading_group_staff, area=areas[COUNTY], year=2024, quarter=2)
    assert len(callbacks) == 1 and report.status == ReportStatus.QUEUED
    assert generate_quarterly_report_task.run(report.pk) == ReportStatus.DRAFT
    report.refresh_from_db()
    first = (report.snapshot_sha256, report.draft_pdf.name, report.generated_at)
    assert report.progress == 100 and report.page_count > 0
    assert generate_quarterly_report_task.run(report.pk) == ReportStatus.DRAFT  # second delivery: nothing changes
    report.refresh_from_db()
    assert (report.snapshot_sha256, report.draft_pdf.name, report.generated_at) == first
    with pytest.raises(Conflict):
        report_generate(actor=leading_group_staff, area=areas[COUNTY], year=2024, quarter=2)


def test_review_by_the_generator_is_refused(areas, leading_group_staff, report_media):
    report = report_build(report_generate(actor=leading_group_staff, area=areas[COUNTY], year=2024, quarter=2).pk)
    with pytest.raises(PermissionDenied, match="不能是报告编制人"):
        report_review(actor=leading_group_staff, report=report, note="自己审核")
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.reviewed_by is None


def test_only_reviewed_reports_are_signed(areas, leading_group_staff, report_media, demo_signing_ca):
    report = report_build(report_generate(actor=leading_group_staff, area=areas[COUNTY], year=2024, quarter=2).pk)
    with pytest.raises(Conflict):
        report_sign(actor=leading_group_staff, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and not report.signed_pdf


def test_sign_stores_the_signed_file_and_its_sha256(signed_report, leading_group_staff):
    report = QuarterlyReport.objects.get(pk=signed_report.pk)
    with report.signed_pdf.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == report.signed_sha256
    assert report.status == ReportStatus.SIGNED and report.signed_by == leading_group_staff
    assert report.signer_unit and report.certificate_subject and report.signed_at is not None
    assert AuditEvent.objects.filter(action="report.sign", object_id=str(report.pk)).exists()


def test_signed_report_cannot_be_changed_by_the_services(signed_report, report_reviewer, leading_group_staff):
    before = QuarterlyReport.objects.values().get(pk=signed_report.pk)
    with pytest.raises(Conflict):
        report_review(actor=report_reviewer, report=signed_report, note="再审")
    with pytest.raises(Conflict):
        report_sign(actor=leading_group_staff, report=signed_report)
    with pytest.raises(Conflict):
        report_generate(actor=leading_group_staff, area=signed_report.area, year=signed_report.year,
                        quarter=signed_report.quarter)
    assert QuarterlyReport.objects.values().get(pk=signed_report.pk) == before


def test_database_trigger_rejects_update_and_delete_of_a_signed_row(signed_report):
    # The suite runs on PostgreSQL, the production database, where the migration installs the trigger.
    assert connection.vendor == "postgresql"
    for statement in ("UPDATE reports_quarterlyreport SET review_note = 'x' WHERE id = %s",
                      "DELETE FROM reports_quarterlyreport WHERE id = %s"):
        with pytest.raises((IntegrityError, InternalError), match="不能修改或删除"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, [signed_report.pk])
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            QuarterlyReport.objects.filter(pk=signed_report.pk).update(signed_sha256="0" * 64)
    assert QuarterlyReport.objects.get(pk=signed_report.pk).signed_sha256 == signed_report.signed_sha256


def test_correction_is_a_new_version_that_references_the_signed_one(signed_report, leading_group_staff, report_reviewer,
                                                                    report_media):
    with pytest.raises(ApplicationError):
        report_correct(actor=leading_group_staff, report=signed_report, reason="  ")
    correction = report_correct(actor=leading_group_staff, report=signed_report, reason="补录 6 月份报账凭证")
    assert (correction.version, correction.supersedes_id, correction.status) == (2, signed_report.pk, ReportStatus.QUEUED)
    with pytest.raises(Conflict):
        report_correct(actor=leading_group_staff, report=signed_report, reason="再次更正")
    correction = report_build(correction.pk)
    assert correction.snapshot_sha256 == QuarterlyReport.objects.get(pk=signed_report.pk).snapshot_sha256
    reviewed = report_review(actor=report_reviewer, report=correction, note="")
    assert reviewed.status == ReportStatus.REVIEWED


def test_out_of_area_officers_cannot_review(areas, leading_group_staff, report_media):
    from conftest import _persona
    from povalleviation.roles import Role

    elsewhere = _persona("other_office", Role.LEADING_GROUP_OFFICE, OTHER_TOWNSHIP)
    report = report_build(report_generate(actor=leading_group_staff, area=areas[COUNTY], year=2024, quarter=2).pk)
    with pytest.raises(PermissionDenied):
        report_review(actor=elsewhere, report=report, note="")
    township_report = report_build(report_generate(actor=leading_group_staff, area=areas[TOWNSHIP], year=2024, quarter=2).pk)
    assert township_report.status == ReportStatus.DRAFT
    with pytest.raises(PermissionDenied):
        report_review(actor=elsewhere, report=township_report, note="")


def test_reviewed_report_is_signed_with_the_reviewer_on_the_signature_page(areas, leading_group_staff, report_reviewer,
                                                                           report_media, demo_signing_ca):
    import subprocess

    report = make_reviewed_report(generator=leading_group_staff, reviewer=report_reviewer, area=areas[COUNTY])
    report = report_sign(actor=leading_group_staff, report=report)
    with report.signed_pdf.open("rb") as handle:
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=handle.read(), capture_output=True,
                              check=True).stdout.decode()
    assert "王审核" in text and "草稿" not in text and str(report.verification_token) in text
