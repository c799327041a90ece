"""Editing a household with its members, on the page and through the API: one step, all or nothing, scoped,
refused when stale, and every change in the household's history (HouseholdEvent)."""
import datetime

import pytest

from accounts.models import AuditEvent
from households.models import Household, HouseholdEvent, Member
from households.services import household_edit
from households.tests.factories import make_id_number, member_data
from povalleviation.errors import ApplicationError, Conflict

pytestmark = pytest.mark.django_db


def _page_data(household, rows, **fields):
    """The edit page's POST: household fields and one member row per dict (``member_id`` for existing ones)."""
    data = {
        "identification_year": str(household.identification_year), "category": household.category,
        "primary_cause": household.primary_cause, "address": household.address, "version": str(household.version),
        "members-TOTAL_FORMS": str(len(rows)), "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000", **fields,
    }
    for index, row in enumerate(rows):
        data.update({f"members-{index}-{name}": value for name, value in
                     {"health_status": "healthy", "labour_capacity": "full", **row}.items()})
    return data


def _events(household):
    return list(HouseholdEvent.objects.filter(household=household).exclude(type="registered").values_list("type", flat=True))


def test_page_edits_household_adds_member_and_hands_over_head(client_for, village_cadre_a, household_a):
    cadre = client_for(village_cadre_a)
    head, spouse = household_a.members.order_by("id")
    assert cadre.get(f"/households/{household_a.pk}/edit/").status_code == 200
    rows = [
        # The spouse becomes 户主 and the old head becomes 配偶 in the same save (heads are saved last).
        {"member_id": head.pk, "name": head.name, "id_number": head.id_number, "relation": "10"},
        {"member_id": spouse.pk, "name": "王秀英", "id_number": spouse.id_number, "relation": "02"},
        {"name": "李小", "id_number": make_id_number(103), "relation": "20", "labour_capacity": "none"},
    ]
    response = cadre.post(f"/households/{household_a.pk}/edit/", _page_data(household_a, rows, address="上寨 8 号"))
    assert response.status_code == 302 and response["Location"] == f"/households/{household_a.pk}/"
    household = Household.objects.get(pk=household_a.pk)
    assert household.address == "上寨 8 号" and household.head_name == "王秀英" and household.member_count == 3
    assert household.version > household_a.version
    assert dict(household.members.filter(is_registered=True).values_list("name", "relation")) == {
        "李大": "10", "王秀英": "02", "李小": "20"}
    assert sorted(_events(household)) == ["member_added", "member_updated", "member_updated", "updated"]
    assert AuditEvent.objects.filter(action="household.member_added", object_id=str(household.pk)).exists()


def test_page_refusal_of_one_member_keeps_nothing_and_names_the_field(client_for, village_cadre_a, household_a, household_b):
    cadre = client_for(village_cadre_a)
    head, spouse = household_a.members.order_by("id")
    taken = household_b.members.get().id_number  # registered in another village: refused without saying where
    rows = [
        {"member_id": head.pk, "name": head.name, "id_number": head.id_number, "relation": "02"},
        {"member_id": spouse.pk, "name": "王秀英", "id_number": spouse.id_number, "relation": "10"},
        {"name": "外村人", "id_number": taken, "relation": "20"},
    ]
    response = cadre.post(f"/households/{household_a.pk}/edit/", _page_data(household_a, rows, address="上寨 9 号"))
    assert response.status_code == 400
    member_forms = response.context["formset"].forms
    assert "已登记在册" in str(member_forms[2].errors["id_number"])
    household = Household.objects.get(pk=household_a.pk)
    assert household.address != "上寨 9 号" and household.member_count == 2
    assert household.members.get(pk=spouse.pk).name == "王秀"
    assert _events(household) == []
    # The refused lookup is audited once, although the edit rolled back.
    assert AuditEvent.objects.filter(action="household.duplicate_lookup", actor=village_cadre_a).count() == 1


def test_page_stale_version_is_refused_and_nothing_saved(client_for, village_cadre_a, household_a):
    cadre = client_for(village_cadre_a)
    head, spouse = household_a.members.order_by("id")
    rows = [{"member_id": head.pk, "name": head.name, "id_number": head.id_number, "relation": "02"},
            {"member_id": spouse.pk, "name": "王秀英", "id_number": spouse.id_number, "relation": "10"}]
    data = _page_data(household_a, rows, version=str(household_a.version - 1), address="旧页面")
    response = cadre.post(f"/households/{household_a.pk}/edit/", data)
    assert response.status_code == 409 and "请刷新后再改" in response.content.decode()
    assert "旧页面" in response.content.decode()
    assert household_a.members.get(pk=spouse.pk).name == "王秀" and _events(household_a) == []


def test_page_member_removal_and_other_village_is_404(client_for, village_cadre_a, village_cadre_b, household_a):
    spouse = household_a.members.get(relation="10")
    url = f"/households/{household_a.pk}/members/{spouse.pk}/remove/"
    assert client_for(village_cadre_b).get(f"/households/{household_a.pk}/edit/").status_code == 404
    assert client_for(village_cadre_b).post(url, {"status": "deceased", "left_date": "2024-03-01"}).status_code == 404
    assert 'name="left_date"' in client_for(village_cadre_a).get(url).content.decode()
    response = client_for(village_cadre_a).post(url, {"status": "deceased", "left_date": "2024-03-01", "reason": "病故"})
    assert response.status_code == 302
    spouse.refresh_from_db()
    assert not spouse.is_registered and spouse.status == "deceased" and spouse.left_date == datetime.date(2024, 3, 1)
    assert Household.objects.get(pk=household_a.pk).member_count == 1
    assert HouseholdEvent.objects.get(household=household_a, type="member_removed").summary.endswith("（病故）")


def test_api_patch_adds_changes_and_removes_members_in_one_request(api_for, village_cadre_a, household_a):
    api = api_for(village_cadre_a)
    head, spouse = household_a.members.order_by("id")
    body = {
        "address": "上寨 3 号", "version": household_a.version,
        "members": [
            {"id": head.pk, "is_dibao": True, "work_months": 6},
            {"id": spouse.pk, "removal": {"status": "married_out", "left_date": "2024-05-01", "reason": "婚出到外县"}},
            {"name": "李小", "id_number": make_id_number(103), "relation": "20"},
        ],
    }
    response = api.patch(f"/api/v1/households/{household_a.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["address"] == "上寨 3 号" and data["member_count"] == 2
    assert {m["name"] for m in data["members"]} == {"李大", "李小"}
    head.refresh_from_db()
    spouse.refresh_from_db()
    assert head.is_dibao and head.work_months == 6 and head.name == "李大"
    assert not spouse.is_registered and spouse.status == "married_out" and spouse.left_date == datetime.date(2024, 5, 1)
    assert sorted(_events(household_a)) == ["member_added", "member_removed", "member_updated", "updated"]
    # The version moved: the same request again is stale and refused, nothing saved twice.
    again = api.patch(f"/api/v1/households/{household_a.pk}/", body, format="json")
    assert again.status_code == 409 and "已被 cadre_a 于" in again.json()["detail"]
    assert Member.objects.filter(household=household_a, name="李小").count() == 1


def test_api_refusal_names_the_row_and_keeps_nothing(api_for, village_cadre_a, household_a):
    api = api_for(village_cadre_a)
    head, spouse = household_a.members.order_by("id")
    body = {"address": "不该保存", "version": household_a.version, "members": [
        {"id": spouse.pk, "name": "王秀英"},
        {"id": head.pk, "removal": {"status": "deceased"}},  # 户主 cannot simply leave
    ]}
    response = api.patch(f"/api/v1/households/{household_a.pk}/", body, format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["detail"].startswith("第 2 名成员（李大）：户主不能直接减少") and "members.1.status" in payload["errors"]
    assert Household.objects.get(pk=household_a.pk).address != "不该保存"
    assert household_a.members.get(pk=spouse.pk).name == "王秀" and _events(household_a) == []


def test_api_member_of_another_household_and_other_village(api_for, village_cadre_a, village_cadre_b, household_a, household_b):
    other = household_b.members.get()
    response = api_for(village_cadre_a).patch(f"/api/v1/households/{household_a.pk}/", {
        "version": household_a.version, "members": [{"id": other.pk, "name": "改名"}]}, format="json")
    assert response.status_code == 400 and "不是本户的在册成员" in response.json()["detail"]
    assert Member.objects.get(pk=other.pk).name == "刀二"
    response = api_for(village_cadre_b).patch(f"/api/v1/households/{household_a.pk}/", {
        "members": [{"name": "李小", "id_number": make_id_number(103), "relation": "20"}]}, format="json")
    assert response.status_code == 404 and household_a.members.count() == 2


def test_api_stale_version_refused(api_for, village_cadre_a, household_a):
    response = api_for(village_cadre_a).patch(f"/api/v1/households/{household_a.pk}/", {
        "version": household_a.version + 5, "members": [{"name": "李小", "id_number": make_id_number(103), "relation": "20"}]},
        format="json")
    assert response.status_code == 409 and household_a.members.count() == 2 and _events(household_a) == []


def test_service_refuses_a_household_without_head(village_cadre_a, household_a):
    head = household_a.members.get(relation="02")
    with pytest.raises(ApplicationError, match="每户必须有且只有一名户主"):
        household_edit(actor=village_cadre_a, household=household_a, data={},
                       members=[{"id": head.pk, "relation": "20"}])
    assert household_a.members.get(pk=head.pk).relation == "02"
    with pytest.raises(Conflict):
        household_edit(actor=village_cadre_a, household=household_a, data={}, expected_version=household_a.version - 1,
                       members=[member_data(104, name="晚到")])


def test_schema_documents_member_changes(api_for, county_officer):
    schema = api_for(county_officer).get("/api/schema/?format=json").json()
    patch = schema["paths"]["/api/v1/households/{id}/"]["patch"]
    assert "members" in patch["description"] and "409" in patch["description"]
    assert "removal" in schema["components"]["schemas"]["MemberChange"]["properties"]
