"""The report admin: a read-only list scoped by the staff user's posts (``report.view``); no add, change or
delete, no snapshot and no file links (downloads go through the audited report page)."""
import datetime

import pytest

from conftest import COUNTY, OTHER_TOWNSHIP, TOWNSHIP, _persona
from povalleviation.roles import Role
from reports.models import QuarterlyReport, ReportStatus

URL = "/admin/reports/quarterlyreport/"


def stored_report(area, generator, quarter=1) -> QuarterlyReport:
    return QuarterlyReport.objects.create(
        area=area, area_code=area.code, year=2026, quarter=quarter, as_of=datetime.date(2026, 3 * quarter, 28),
        status=ReportStatus.DRAFT, generated_by=generator, snapshot={"note": "快照正文不在后台显示"},
        snapshot_sha256="ab" * 32, draft_pdf=f"reports/drafts/{area.code}-{quarter}.pdf")


@pytest.fixture
def reports(areas, leading_group_staff):
    return {code: stored_report(areas[code], leading_group_staff) for code in (COUNTY, TOWNSHIP, OTHER_TOWNSHIP)}


def listed(client) -> set[int]:
    response = client.get(URL)
    assert response.status_code == 200
    return {report.pk for report in response.context["cl"].result_list}


def test_reports_are_listed_within_the_staff_users_areas(reports, client_for):
    county_staff = _persona("county_staff", Role.COUNTY_OFFICER, COUNTY, is_staff=True)
    assert listed(client_for(county_staff)) == {report.pk for report in reports.values()}
    township_staff = _persona("township_staff", Role.TOWNSHIP_OFFICER, OTHER_TOWNSHIP, is_staff=True)
    client = client_for(township_staff)
    assert listed(client) == {reports[OTHER_TOWNSHIP].pk}
    hidden = client.get(f"{URL}{reports[COUNTY].pk}/change/")
    assert hidden.status_code in (302, 404) and "ab" * 32 not in hidden.content.decode()


def test_a_report_opens_read_only_without_snapshot_or_files(reports, client_for):
    county_staff = _persona("county_staff", Role.COUNTY_OFFICER, COUNTY, is_staff=True)
    client = client_for(county_staff)
    report = reports[TOWNSHIP]
    page = client.get(f"{URL}{report.pk}/change/")
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    body = page.content.decode()
    assert "ab" * 32 in body and f"/reports/{report.pk}/" in body
    assert "快照正文不在后台显示" not in body
    assert "reports/drafts/" not in body
    assert 'name="_save"' not in body and 'name="_continue"' not in body


def test_nothing_can_be_added_changed_or_deleted(reports, client_for):
    county_staff = _persona("county_staff", Role.COUNTY_OFFICER, COUNTY, is_staff=True)
    client = client_for(county_staff)
    report = reports[COUNTY]
    assert client.get(f"{URL}add/").status_code == 403
    assert client.post(f"{URL}{report.pk}/change/", {"status": "signed", "year": 2020}).status_code == 403
    assert client.post(f"{URL}{report.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(URL, {"action": "delete_selected", "_selected_action": [report.pk]}).status_code in (200, 302)
    report.refresh_from_db()
    assert (report.status, report.year) == (ReportStatus.DRAFT, 2026)
    assert QuarterlyReport.objects.count() == 3


def test_users_without_report_view_do_not_see_the_admin_list(reports, client_for, system_admin):
    assert client_for(system_admin).get(URL).status_code == 403
