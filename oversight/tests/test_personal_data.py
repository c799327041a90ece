"""Complainants' personal data: name and phone masked in every list and detail (page and API) for every role
that sees complaints; the full contact only through a reveal by the receiving office or the handling area,
each reveal audited with the complaint's area; everyone else is refused and nothing is recorded."""
import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from conftest import COUNTY, TOWNSHIP, _persona
from oversight import services
from oversight.tests.conftest import at
from povalleviation.access import ROLE_CAPABILITIES, Capability
from povalleviation.roles import Role

pytestmark = pytest.mark.django_db

NAME, PHONE = "王小明", "13800001234"
COMPLAINT_ROLES = [role for role in Role if Capability.COMPLAINT_VIEW in ROLE_CAPABILITIES.get(role, ())]


@pytest.fixture
def complaint(county_officer, areas):
    received = services.complaint_receive(actor=county_officer, area=areas[COUNTY], channel="hotline_12317",
                                          received_at=at("2024-03-01"), content="反映帮扶不到位",
                                          complainant_name=NAME, complainant_phone=PHONE)
    return services.complaint_assign(actor=county_officer, complaint=received, area=areas[TOWNSHIP], handling_unit="老厂乡")


@pytest.mark.parametrize("role", COMPLAINT_ROLES, ids=[role.value for role in COMPLAINT_ROLES])
def test_every_role_sees_the_complainant_masked(role, complaint, client_for, api_for):
    user = _persona(f"complaints_{role.value}", role, TOWNSHIP if role == Role.TOWNSHIP_OFFICER else COUNTY)
    client, api = client_for(user), api_for(user)
    shown = [
        client.get(reverse("oversight:complaint_list")).content.decode(),
        client.get(reverse("oversight:complaint_detail", args=[complaint.pk])).content.decode(),
        api.get("/api/v1/complaints/").content.decode(),
        api.get(f"/api/v1/complaints/{complaint.pk}/").content.decode(),
    ]
    for text in shown:
        assert PHONE not in text and NAME not in text
        assert "138****1234" in text and "王**" in text
    assert not AuditEvent.objects.filter(action="complaint.contact_reveal").exists()


def test_reveal_is_for_the_officers_of_the_case_and_audited(complaint, client_for, api_for, county_officer,
                                                            township_officer, other_township_officer, auditor):
    url = reverse("oversight:complaint_contact", args=[complaint.pk])
    assert client_for(auditor).post(url).status_code == 403
    assert api_for(auditor).post(f"/api/v1/complaints/{complaint.pk}/reveal/").status_code == 403
    assert client_for(other_township_officer).post(url).status_code == 404
    assert not AuditEvent.objects.filter(action="complaint.contact_reveal").exists()
    assert client_for(township_officer).post(url).json() == {"complainant_name": NAME, "complainant_phone": PHONE}
    by_api = api_for(county_officer).post(f"/api/v1/complaints/{complaint.pk}/reveal/").json()
    assert by_api == {"complainant_name": NAME, "complainant_phone": PHONE}
    reveals = AuditEvent.objects.filter(action="complaint.contact_reveal").order_by("id")
    assert [(e.actor, e.area_code, e.object_id) for e in reveals] == [
        (township_officer, TOWNSHIP, str(complaint.pk)), (county_officer, TOWNSHIP, str(complaint.pk))]
    assert all(PHONE not in e.summary and NAME not in e.summary for e in reveals)
    # A GET does not reveal; the page after a reveal is still masked.
    assert client_for(township_officer).get(url).status_code == 405
    assert PHONE not in client_for(township_officer).get(reverse("oversight:complaint_detail", args=[complaint.pk])).content.decode()
