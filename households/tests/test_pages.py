"""Household pages: anonymous → login, no capability → 403, out of area → 404, in area → the data."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import VILLAGE_A, VILLAGE_B
from households.models import Household, HouseholdEvent
from households.tests.factories import make_id_number

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(client, household_a):
    for url in ["/households/", f"/households/{household_a.pk}/", "/households/new/", f"/households/register/{VILLAGE_A}/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_system_admin_sees_no_household_data(client_for, system_admin, household_a):
    admin = client_for(system_admin)
    assert admin.get("/households/").status_code == 403
    assert admin.get(f"/households/{household_a.pk}/").status_code == 403
    assert admin.get(f"/households/{household_a.pk}/card.pdf").status_code == 403
    assert admin.get(f"/households/register/{VILLAGE_A}/").status_code == 403


def test_cadre_lists_own_village_only(client_for, village_cadre_a, household_a, household_b):
    page = client_for(village_cadre_a).get("/households/").content.decode()
    assert "李大" in page and household_a.household_number in page
    assert "刀二" not in page and household_b.household_number not in page


def test_out_of_area_detail_is_404_like_missing(client_for, village_cadre_a, household_b):
    cadre = client_for(village_cadre_a)
    assert cadre.get(f"/households/{household_b.pk}/").status_code == 404
    assert cadre.get("/households/999999/").status_code == 404
    assert cadre.get(f"/households/{household_b.pk}/edit/").status_code == 404
    assert cadre.get(f"/households/{household_b.pk}/card.pdf").status_code == 404
    assert cadre.get(f"/households/register/{VILLAGE_B}/").status_code == 404


def test_detail_masks_id_numbers(client_for, township_officer, household_a):
    page = client_for(township_officer).get(f"/households/{household_a.pk}/").content.decode()
    full = make_id_number(101)
    assert full not in page
    assert f"{full[:6]}********{full[-4:]}" in page


def test_reveal_one_id_number_is_audited(client_for, village_cadre_a, household_a, leading_group_staff):
    member = household_a.members.get(relation="02")
    response = client_for(village_cadre_a).post(f"/households/{household_a.pk}/members/{member.pk}/reveal/")
    assert response.json() == {"id_number": make_id_number(101)}
    assert HouseholdEvent.objects.filter(household=household_a, type="id_revealed", actor=village_cadre_a).count() == 1
    # Leading-group staff read households but hold no reveal capability.
    assert client_for(leading_group_staff).post(f"/households/{household_a.pk}/members/{member.pk}/reveal/").status_code == 403


def test_list_filters_and_exact_id_search(client_for, county_officer, household_a, household_b):
    county = client_for(county_officer)
    assert "刀二" in county.get("/households/?cause=LACK_FUNDS").content.decode()
    assert "李大" not in county.get("/households/?cause=LACK_FUNDS").content.decode()
    by_id = county.get(f"/households/?q={make_id_number(102, odd=False)}").content.decode()
    assert "李大" in by_id and "刀二" not in by_id
    # A fragment of an ID number finds nothing (no partial ID search).
    assert "李大" not in county.get(f"/households/?q={make_id_number(102, odd=False)[:10]}").content.decode()
    assert "李大" in county.get("/households/?q=王秀").content.decode()
    assert "刀二" not in county.get(f"/households/?area={VILLAGE_A}").content.decode()


def test_list_page_query_count_does_not_grow(client_for, village_cadre_a, many_households_a):
    cadre = client_for(village_cadre_a)
    many_households_a(3)
    cadre.get("/households/")
    with CaptureQueriesContext(connection) as few:
        assert cadre.get("/households/").status_code == 200
    many_households_a(25, start=450)
    with CaptureQueriesContext(connection) as more:
        assert cadre.get("/households/").status_code == 200
    assert len(more) == len(few) <= 8


def test_rejected_form_keeps_everything_typed(client_for, village_cadre_a, areas):
    cadre = client_for(village_cadre_a)
    good_id = make_id_number(301)
    bad_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    response = cadre.post("/households/new/", {
        "area": VILLAGE_A, "address": "太和村下寨 8 号", "phone": "13988776655", "identification_year": "2016",
        "category": "general", "primary_cause": "ILLNESS", "other_causes": ["LACK_FUNDS"],
        "members-TOTAL_FORMS": "2", "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "1", "members-MAX_NUM_FORMS": "1000",
        "members-0-name": "杨正", "members-0-id_number": good_id, "members-0-relation": "02",
        "members-0-health_status": "healthy", "members-0-labour_capacity": "full",
        "members-1-name": "杨小", "members-1-id_number": bad_id, "members-1-relation": "20",
        "members-1-health_status": "healthy", "members-1-labour_capacity": "none",
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert "校验码错误" in page
    for typed in ("太和村下寨 8 号", "13988776655", "杨正", "杨小", good_id, bad_id):
        assert typed in page
    assert Household.objects.count() == 0


def test_register_through_form_then_card_and_register_books(client_for, village_cadre_a, township_officer, county_officer, areas):
    cadre = client_for(village_cadre_a)
    response = cadre.post("/households/new/", {
        "area": VILLAGE_A, "identification_year": "2016", "category": "general", "primary_cause": "ILLNESS",
        "members-TOTAL_FORMS": "2", "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "1", "members-MAX_NUM_FORMS": "1000",
        "members-0-name": "杨正", "members-0-id_number": make_id_number(311).lower(), "members-0-relation": "02",
        "members-0-health_status": "chronic", "members-0-labour_capacity": "full",
        "members-1-name": "杨小", "members-1-id_number": make_id_number(312), "members-1-relation": "20",
        "members-1-health_status": "healthy", "members-1-labour_capacity": "none",
    })
    household = Household.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/households/{household.pk}/"
    assert household.member_count == 2 and household.head_name == "杨正"
    asked = cadre.get(f"/households/{household.pk}/card.pdf")
    assert asked["Content-Type"].startswith("text/html") and 'name="purpose"' in asked.content.decode()
    card = cadre.get(f"/households/{household.pk}/card.pdf?purpose=入户核查")
    assert card["Content-Type"] == "application/pdf" and card.content.startswith(b"%PDF")
    register = client_for(township_officer).get(f"/households/register/{VILLAGE_A}/").content.decode()
    assert "杨正" in register and "因病" in register
    book = client_for(township_officer).get("/households/book/530427204000/").content.decode()
    assert "太和村委会" in book and "勐炳村委会" in book
    summary = client_for(county_officer).get("/households/summary/530427000000/")
    rows = {row["area"].code: row for row in summary.context["rows"]}
    assert rows["530427204000"]["households"] == 1 and rows["530427204000"]["people"] == 2
    assert rows["530427104000"]["households"] == 0
    assert client_for(village_cadre_a).get("/households/book/530427204000/").status_code == 404


def test_edit_with_stale_version_is_refused_and_keeps_input(client_for, village_cadre_a, household_a):
    cadre = client_for(village_cadre_a)
    members = list(household_a.members.order_by("id"))
    data = {
        "identification_year": "2016", "category": "general", "primary_cause": "ILLNESS", "address": "新地址 1 号", "version": "0",
        "members-TOTAL_FORMS": "2", "members-INITIAL_FORMS": "2", "members-MIN_NUM_FORMS": "1", "members-MAX_NUM_FORMS": "1000",
    }
    for index, member in enumerate(members):
        data.update({f"members-{index}-member_id": member.pk, f"members-{index}-name": member.name,
                     f"members-{index}-id_number": member.id_number, f"members-{index}-relation": member.relation,
                     f"members-{index}-health_status": "healthy", f"members-{index}-labour_capacity": "full"})
    response = cadre.post(f"/households/{household_a.pk}/edit/", data)
    assert response.status_code == 409 and "请刷新后再改" in response.content.decode() and "新地址 1 号" in response.content.decode()
    data["version"] = str(household_a.version)
    assert cadre.post(f"/households/{household_a.pk}/edit/", data).status_code == 302
    household_a.refresh_from_db()
    assert household_a.address == "新地址 1 号"


def test_admin_shows_no_household_data_to_system_admin(client_for, system_admin, household_a):
    admin = client_for(system_admin)
    assert admin.get("/admin/households/household/").status_code == 403
    assert admin.get(f"/admin/households/household/{household_a.pk}/change/").status_code == 403
    assert "建档立卡户" not in admin.get("/admin/").content.decode()


def test_auditor_sees_household_changes_in_chinese(client_for, auditor, township_auditor, household_a):
    page = client_for(auditor).get("/accounts/audit/").content.decode()
    assert "建档" in page and "李大户" in page and ">household.registered<" not in page
    assert "李大户" not in client_for(township_auditor).get("/accounts/audit/").content.decode()
