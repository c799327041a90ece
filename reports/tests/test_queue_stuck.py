"""A report whose generation task never started (its send was lost while Redis was down) does not block the
quarter: the page offers 重新生成, the command and the page re-queue it, and the queue sweeper sends it again.

The broker is really unreachable for the first request (tests/queue_support.py); "back" runs the re-sent task
in-process (eager)."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import COUNTY
from povalleviation.errors import Conflict
from reports.models import QuarterlyReport, ReportStatus
from reports.services import never_started, report_generate, requeue_unstarted_reports
from tests import queue_support
from tests.queue_support import minutes_ago

broker_down = queue_support.broker_down  # the fixture, used by name
STUCK = "长时间未开始生成"


@pytest.fixture
def lost_report(broker_down, client_for, areas, leading_group_staff, report_media,
                django_capture_on_commit_callbacks):
    """A report generated from the page while the broker is unreachable: the page answers, the report is queued."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(leading_group_staff).post(reverse("reports:generate"), {"area": COUNTY, "period": "2024Q2"})
    report = QuarterlyReport.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:detail", args=[report.pk])
    assert report.status == ReportStatus.QUEUED and report.heartbeat_at is not None
    return report


def _age(report, minutes=11):
    QuarterlyReport.objects.filter(pk=report.pk).update(heartbeat_at=minutes_ago(minutes))
    report.refresh_from_db()


def test_a_report_queued_moments_ago_is_still_refused_as_in_work(lost_report, areas, leading_group_staff, client_for):
    assert not never_started(lost_report)
    with pytest.raises(Conflict, match="已有报告"):
        report_generate(actor=leading_group_staff, area=areas[COUNTY], year=2024, quarter=2)
    page = client_for(leading_group_staff).get(reverse("reports:detail", args=[lost_report.pk])).content.decode()
    assert STUCK not in page and "重新生成" not in page


def test_the_page_retries_a_report_stuck_in_the_queue(lost_report, leading_group_staff, client_for, eager_tasks,
                                                      django_capture_on_commit_callbacks):
    _age(lost_report)
    office = client_for(leading_group_staff)
    page = office.get(reverse("reports:detail", args=[lost_report.pk])).content.decode()
    assert STUCK in page and "重新生成" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post(reverse("reports:action", args=[lost_report.pk, "retry"]))
    assert response.status_code == 302
    lost_report.refresh_from_db()
    assert lost_report.status == ReportStatus.DRAFT and lost_report.page_count > 0
    assert QuarterlyReport.objects.count() == 1


def test_the_command_builds_a_report_stuck_in_the_queue(lost_report, leading_group_staff):
    _age(lost_report)
    out = StringIO()
    call_command("generate_quarterly_report", "--area", COUNTY, "--quarter", "2024Q2",
                 "--user", leading_group_staff.username, stdout=out)
    lost_report.refresh_from_db()
    assert lost_report.status == ReportStatus.DRAFT and f"报告编号 {lost_report.pk}" in out.getvalue()


def test_the_sweeper_sends_a_stuck_report_again_and_it_completes(lost_report):
    from povalleviation.celery import app

    assert requeue_unstarted_reports(minutes=10) == 0  # queued moments ago
    _age(lost_report)
    assert requeue_unstarted_reports(minutes=10) == 0  # the broker is still down: left queued, tried next period
    lost_report.refresh_from_db()
    assert lost_report.status == ReportStatus.QUEUED and not never_started(lost_report)
    _age(lost_report)
    app.conf.task_always_eager = True  # the broker is back (broker_down puts the setting back afterwards)
    assert requeue_unstarted_reports(minutes=10) == 1
    lost_report.refresh_from_db()
    assert lost_report.status == ReportStatus.DRAFT
