"""Report pages and the API: anonymous → login / 401, no capability → 403, out of area → 404, in area → the
data; downloads are scoped and audited; list pages pin their query counts."""
import hashlib

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from conftest import COUNTY, TOWNSHIP
from reports.generation import report_build
from reports.models import QuarterlyReport, ReportStatus
from reports.services import report_generate


@pytest.fixture
def queued(areas, leading_group_staff):
    return report_generate(actor=leading_group_staff, area=areas[COUNTY], year=2024, quarter=2)


@pytest.fixture
def built(queued, report_media):
    return report_build(queued.pk)


def test_pages_anonymous_no_capability_out_of_area_in_area(client, client_for, queued, system_admin,
                                                          other_township_officer, county_officer, township_officer):
    urls = [reverse("reports:list"), reverse("reports:detail", args=[queued.pk]), reverse("reports:status", args=[queued.pk])]
    for url in urls:
        assert client.get(url).status_code == 302
        assert client_for(system_admin).get(url).status_code == 403
    for url in urls[1:]:
        # A township officer is posted below the county: the county's report is out of their area.
        assert client_for(other_township_officer).get(url).status_code == 404
        assert client_for(township_officer).get(url).status_code == 404
    response = client_for(county_officer).get(urls[1])
    page = response.content.decode()
    assert response.status_code == 200 and "新平彝族傣族自治县" in page
    # While queued the page shows the progress bar polling the status endpoint.
    assert 'id="progress-card"' in page and f'data-status-url="{urls[2]}"' in page
    status = client_for(county_officer).get(urls[2]).json()
    assert status == {"status": "queued", "status_label": "排队中", "progress": 0, "message": "", "error": "", "page_count": 0}
    listing = client_for(other_township_officer).get(urls[0]).content.decode()
    assert "没有报告" in listing


def test_generate_page_needs_the_capability(client_for, areas, county_officer, leading_group_staff,
                                            django_capture_on_commit_callbacks):
    url = reverse("reports:generate")
    assert client_for(county_officer).get(url).status_code == 403
    assert client_for(county_officer).post(url, {"area": COUNTY, "period": "2024Q2"}).status_code == 403
    assert not QuarterlyReport.objects.exists()
    office = client_for(leading_group_staff)
    page = office.get(url).content.decode()
    assert "新平彝族傣族自治县" in page and "生成报告" in page
    with django_capture_on_commit_callbacks() as callbacks:
        response = office.post(url, {"area": COUNTY, "period": "2024Q2"})
    report = QuarterlyReport.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:detail", args=[report.pk])
    assert len(callbacks) == 1 and report.generated_by == leading_group_staff
    refused = office.post(url, {"area": COUNTY, "period": "2099Q1"})
    assert refused.status_code == 400 and QuarterlyReport.objects.count() == 1


def test_download_is_scoped_and_audited(client, client_for, built, county_officer, other_township_officer, system_admin):
    url = reverse("reports:download", args=[built.pk, "draft"])
    assert client.get(url).status_code == 302
    assert client_for(system_admin).get(url).status_code == 403
    assert client_for(other_township_officer).get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="report.download").exists()
    response = client_for(county_officer).get(url)
    data = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf" and data.startswith(b"%PDF")
    event = AuditEvent.objects.get(action="report.download")
    assert (event.actor, event.object_id, event.changes["kind"]) == (county_officer, str(built.pk), "draft")
    assert client_for(county_officer).get(reverse("reports:download", args=[built.pk, "signed"])).status_code == 404


def test_signed_download_matches_the_stored_sha256(client_for, signed_report, county_officer):
    response = client_for(county_officer).get(reverse("reports:download", args=[signed_report.pk, "signed"]))
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == signed_report.signed_sha256
    assert AuditEvent.objects.get(action="report.download").changes["sha256"] == signed_report.signed_sha256


def test_review_through_the_page_is_refused_for_the_generator(client_for, built, leading_group_staff, report_reviewer):
    url = reverse("reports:action", args=[built.pk, "review"])
    client_for(leading_group_staff).post(url, {"note": "自审"})
    assert QuarterlyReport.objects.get(pk=built.pk).status == ReportStatus.DRAFT
    page = client_for(report_reviewer).get(reverse("reports:detail", args=[built.pk])).content.decode()
    assert "审核通过" in page
    client_for(report_reviewer).post(url, {"note": "核对无误"})
    assert QuarterlyReport.objects.get(pk=built.pk).status == ReportStatus.REVIEWED


def test_list_page_query_count_does_not_grow(client_for, areas, leading_group_staff, county_officer,
                                             django_assert_num_queries):
    report_generate(actor=leading_group_staff, area=areas[COUNTY], year=2024, quarter=1)
    office = client_for(county_officer)
    office.get(reverse("reports:list"))
    # 7 = session, user, second-factor device (county level), posts, then the list's own queries.
    with django_assert_num_queries(7):
        office.get(reverse("reports:list"))
    for quarter in (2, 3, 4):
        report_generate(actor=leading_group_staff, area=areas[COUNTY], year=2024, quarter=quarter)
    report_generate(actor=leading_group_staff, area=areas[TOWNSHIP], year=2024, quarter=1)
    with django_assert_num_queries(7):
        response = office.get(reverse("reports:list") + "?year=2024&status=queued")
    assert response.content.decode().count("排队中") >= 5


def test_api_is_scoped_and_read_only(api_for, queued, county_officer, other_township_officer, system_admin,
                                     django_assert_num_queries):
    url = "/api/v1/reports/"
    assert api_for().get(url).status_code == 401
    assert api_for(system_admin).get(url).status_code == 403
    assert api_for(other_township_officer).get(url).json()["count"] == 0
    assert api_for(other_township_officer).get(f"{url}{queued.pk}/").status_code == 404
    api = api_for(county_officer)
    with django_assert_num_queries(3):  # posts, count, rows (area joined)
        listing = api.get(url + "?year=2024&quarter=2").json()
    assert [row["id"] for row in listing["results"]] == [queued.pk] and "snapshot" not in listing["results"][0]
    assert api.get(f"{url}{queued.pk}/").json()["status"] == "queued"
    assert api.post(url, {}).status_code == 405
    assert api.delete(f"{url}{queued.pk}/").status_code == 405
    assert QuarterlyReport.objects.filter(pk=queued.pk).exists()
    for quarter in (1, 3):
        report_generate(actor=queued.generated_by, area=queued.area, year=2024, quarter=quarter)
    fresh = api_for(type(county_officer).objects.get(pk=county_officer.pk))
    with django_assert_num_queries(3):
        assert fresh.get(url + "?year=2024").json()["count"] == 3


def test_api_is_in_the_openapi_schema(api_for, county_officer):
    schema = api_for(county_officer).get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/reports/" in schema["paths"] and "/api/v1/reports/{id}/" in schema["paths"]


def test_signed_download_refuses_a_file_changed_on_disk_and_audits_it(client_for, signed_report, county_officer):
    path = signed_report.signed_pdf.path
    with open(path, "r+b") as handle:
        handle.seek(200)
        byte = handle.read(1)
        handle.seek(200)
        handle.write(bytes([byte[0] ^ 0x01]))
    response = client_for(county_officer).get(reverse("reports:download", args=[signed_report.pk, "signed"]))
    assert response.status_code == 409
    assert "SHA-256 与签发时保存的值不一致" in response.content.decode()
    assert not AuditEvent.objects.filter(action="report.download").exists()
    event = AuditEvent.objects.get(action="report.download_refused")
    assert event.outcome == "failure" and event.actor == county_officer
    assert event.changes["stored_sha256"] == signed_report.signed_sha256
    assert event.changes["found_sha256"] != signed_report.signed_sha256
