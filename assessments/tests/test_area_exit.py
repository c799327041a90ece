"""Village exit (村级申请 → 乡级初评 → 县级初核 → 市级审定) and county exit (县级申请 → 市级初核 → 省级审定):
snapshots of the aggregates, thresholds from the parameters, the exit date on the last step, refusals."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.tests.workflow_fixtures import YEAR, approve, fresh, helped, set_parameter
from assessments.workflows.models import Verification, VerificationStatus
from assessments.workflows.services import county_exit_apply, verification_approve, village_exit_apply
from conftest import COUNTY, OTHER_VILLAGE, VILLAGE_A, VILLAGE_B
from households.services import household_set_status
from households.tests.factories import member_data, register_household
from povalleviation.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from villages.models import Area, AreaYearProfile
from villages.services import area_create, area_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def poor_villages(areas, village_cadre_a, village_cadre_b):
    """太和村 and 勐炳村 are 贫困村 of 新平县 (a 国家级贫困县); 太和村 has 1000 户籍人口, 3 poor people and one
    exited household; 勐炳村 400 people, none poor."""
    for code in (VILLAGE_A, VILLAGE_B, OTHER_VILLAGE):
        area_update(
            actor=None, area=Area.objects.get(code=code), is_poor_village=True, planned_exit_year=YEAR
        )
    area_update(actor=None, area=Area.objects.get(code=COUNTY), poverty_county_designation="national")
    AreaYearProfile.objects.create(
        area=Area.objects.get(code=VILLAGE_A),
        year=YEAR,
        rural_registered_population=1000,
        collective_income=Decimal("62000"),
        has_water=True,
        has_power=True,
        has_hard_road=True,
    )
    AreaYearProfile.objects.create(
        area=Area.objects.get(code=VILLAGE_B), year=YEAR, rural_registered_population=400
    )
    village = Area.objects.get(code=VILLAGE_A)
    helped(
        village_cadre_a,
        register_household(
            actor=village_cadre_a,
            area=village,
            sequence=11,
            members=[
                member_data(11, name="罗一"),
                member_data(12, name="罗二", relation="10", odd=False),
            ],
        ),
    )
    register_household(
        actor=village_cadre_a, area=village, sequence=13, members=[member_data(13, name="罗三")]
    )
    exited = register_household(
        actor=village_cadre_a, area=village, sequence=14, members=[member_data(14, name="罗四")]
    )
    for status in ("helped", "exit_pending", "exited"):
        household_set_status(
            actor=None, household=exited, to_status=status, reason="历史数据", workflow="test"
        )
    return Area.objects.get(code=VILLAGE_A)


def test_village_exit_through_each_level_sets_the_exit_date(
    poor_villages, village_cadre_a, township_officer, county_officer, city_officer
):
    verification = village_exit_apply(
        actor=village_cadre_a, village=poor_villages, note="贫困发生率降至 2% 以下"
    )
    snapshot = verification.events.get(action="start").snapshot
    assert (
        snapshot["poverty_incidence"] == "0.30"
        and snapshot["poor_people"] == 3
        and snapshot["poor_households"] == 2
    )
    assert snapshot["rural_registered_population"] == 1000 and snapshot["collective_income"] == "62000.00"
    assert snapshot["exited_households"] == 1
    assert {h["head_name"] for h in snapshot["remaining_households"]} == {"罗一", "罗三"}
    assert snapshot["facts"]["has_water"] is True and snapshot["facts"]["has_bus"] is None
    assert snapshot["checks"]["village_incidence_max"]["status"] == "unknown"
    approve(township_officer, verification, "township_assess")
    approve(county_officer, verification, "county_check")
    approve(city_officer, verification, "city_approve")
    verification = fresh(verification)
    village = Area.objects.get(code=VILLAGE_A)
    assert (
        verification.status == VerificationStatus.COMPLETED
        and village.actual_exit_date == timezone.localdate()
    )
    assert verification.decision_snapshot["poverty_incidence"] == "0.30"
    assert list(verification.events.values_list("actor__username", flat=True)) == [
        "cadre_a",
        "township",
        "county",
        "city",
    ]


def test_village_thresholds_come_from_the_parameters(poor_villages, village_cadre_a, township_officer):
    set_parameter("village_incidence_max", "0.2")
    with pytest.raises(ApplicationError) as refused:
        village_exit_apply(actor=village_cadre_a, village=poor_villages, note="申请")
    assert refused.value.code == "not_eligible" and "贫困发生率" in refused.value.message
    assert not Verification.objects.exists()


def test_village_passing_thresholds_are_recorded(poor_villages, village_cadre_a):
    set_parameter("village_incidence_max", 2)
    set_parameter("village_collective_income_min", 50000)
    verification = village_exit_apply(actor=village_cadre_a, village=poor_villages, note="申请")
    checks = verification.events.get().snapshot["checks"]
    assert (
        checks["village_incidence_max"]["status"] == "pass"
        and checks["village_incidence_max"]["threshold"] == "2.0000"
    )
    assert checks["village_collective_income_min"]["status"] == "pass"
    assert verification.events.get().parameter_version


def test_village_exit_refusals(poor_villages, village_cadre_a, village_cadre_b, township_officer, areas):
    with pytest.raises(PermissionDenied):
        village_exit_apply(actor=township_officer, village=poor_villages, note="乡镇代为申请")
    with pytest.raises(NotFound):
        village_exit_apply(actor=village_cadre_b, village=poor_villages, note="越权")
    with pytest.raises(ApplicationError) as no_profile:
        village_exit_apply(actor=village_cadre_a, village=poor_villages, note="往年", year=YEAR - 1)
    assert no_profile.value.code == "no_population"
    area_update(actor=None, area=Area.objects.get(code=VILLAGE_B), is_poor_village=False)
    with pytest.raises(ApplicationError) as not_poor:
        village_exit_apply(actor=village_cadre_b, village=Area.objects.get(code=VILLAGE_B), note="非贫困村")
    assert not_poor.value.code == "not_poor_village"
    village_exit_apply(actor=village_cadre_a, village=poor_villages, note="申请")
    with pytest.raises(ApplicationError) as twice:
        village_exit_apply(actor=village_cadre_a, village=poor_villages, note="重复")
    assert twice.value.code == "duplicate_running"
    assert Verification.objects.count() == 1


def test_village_steps_refuse_wrong_role_skips_and_stale_versions(
    poor_villages, village_cadre_a, township_officer, county_officer, city_officer, other_township_officer
):
    verification = village_exit_apply(actor=village_cadre_a, village=poor_villages, note="申请")
    before = (fresh(verification).version, fresh(verification).position)
    with pytest.raises(PermissionDenied):
        approve(county_officer, verification)
    with pytest.raises(NotFound):
        approve(other_township_officer, verification)
    with pytest.raises(ApplicationError) as skipped:
        approve(city_officer, verification, "city_approve")
    assert skipped.value.code == "step_out_of_order"
    with pytest.raises(Conflict):
        verification_approve(actor=township_officer, verification=verification, version=before[0] + 5)
    assert (fresh(verification).version, fresh(verification).position) == before
    approve(township_officer, verification)
    approve(county_officer, verification)
    assert Area.objects.get(code=VILLAGE_A).actual_exit_date is None


def test_a_failing_threshold_at_the_decision_blocks_it(
    poor_villages, village_cadre_a, township_officer, county_officer, city_officer
):
    verification = village_exit_apply(actor=village_cadre_a, village=poor_villages, note="申请")
    approve(township_officer, verification)
    approve(county_officer, verification)
    set_parameter("village_incidence_max", "0.1")
    with pytest.raises(ApplicationError) as refused:
        approve(city_officer, verification)
    assert refused.value.code == "not_eligible"
    assert (
        fresh(verification).current_step == "city_approve"
        and Area.objects.get(code=VILLAGE_A).actual_exit_date is None
    )


def test_county_exit_through_city_and_province(
    poor_villages, leading_group_staff, county_officer, city_officer, province_officer
):
    with pytest.raises(PermissionDenied):
        county_exit_apply(actor=county_officer, county=Area.objects.get(code=COUNTY), note="县级申请")
    verification = county_exit_apply(
        actor=leading_group_staff, county=Area.objects.get(code=COUNTY), note="县级申请摘帽"
    )
    snapshot = verification.events.get().snapshot
    # 3 poor people over 1000 + 400 户籍人口; three poor villages, none exited yet.
    assert snapshot["poverty_incidence"] == "0.21" and snapshot["rural_registered_population"] == 1400
    assert (snapshot["poor_villages"], snapshot["exited_villages"], snapshot["remaining_villages"]) == (
        3,
        0,
        3,
    )
    with pytest.raises(PermissionDenied):
        approve(province_officer, verification)
    approve(city_officer, verification, "city_check")
    with pytest.raises(PermissionDenied):
        approve(city_officer, verification, "province_approve")
    approve(province_officer, verification, "province_approve")
    county = Area.objects.get(code=COUNTY)
    assert county.actual_exit_date == timezone.localdate() and fresh(verification).status == "completed"


def test_county_exit_needs_a_poor_county_and_a_population(areas, leading_group_staff):
    county = Area.objects.get(code=COUNTY)
    with pytest.raises(ApplicationError) as refused:
        county_exit_apply(actor=leading_group_staff, county=county, note="申请")
    assert refused.value.code == "not_poor_county"
    area_update(actor=None, area=county, poverty_county_designation="provincial")
    with pytest.raises(ApplicationError) as refused:
        county_exit_apply(actor=leading_group_staff, county=Area.objects.get(code=COUNTY), note="申请")
    assert refused.value.code == "no_population"


def test_area_exit_pages(
    client,
    client_for,
    poor_villages,
    village_cadre_a,
    village_cadre_b,
    township_officer,
    leading_group_staff,
    system_admin,
):
    assert client.get("/exits/villages/").status_code == 302
    assert client_for(system_admin).get("/exits/villages/").status_code == 403
    page = client_for(village_cadre_b).get("/exits/villages/").content.decode()
    assert "勐炳村委会" in page and "太和村委会" not in page
    cadre = client_for(village_cadre_a)
    assert "申请退出" in cadre.get("/exits/villages/").content.decode()
    assert (
        client_for(township_officer)
        .post(f"/exits/villages/{VILLAGE_A}/apply/", {"year": YEAR, "note": "x"})
        .status_code
        == 403
    )
    assert (
        client_for(village_cadre_b)
        .post(f"/exits/villages/{VILLAGE_A}/apply/", {"year": YEAR, "note": "x"})
        .status_code
        == 404
    )
    refused = cadre.post(f"/exits/villages/{VILLAGE_A}/apply/", {"year": YEAR - 1, "note": "往年"})
    assert refused.status_code == 400 and "未录入" in refused.content.decode()
    response = cadre.post(f"/exits/villages/{VILLAGE_A}/apply/", {"year": YEAR, "note": "申请出列"})
    verification = Verification.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exits/{verification.pk}/"
    assert "待乡级初评" in cadre.get("/exits/villages/").content.decode()
    detail = client_for(township_officer).get(f"/exits/{verification.pk}/").content.decode()
    assert "0.30" in detail and "乡级初评" in detail
    counties = client_for(leading_group_staff).get("/exits/counties/").content.decode()
    assert "新平彝族傣族自治县" in counties and "申请退出" in counties


def test_village_list_query_count_does_not_grow(client_for, poor_villages, county_officer, village_cadre_a):
    county = client_for(county_officer)
    county.get("/exits/villages/")
    with CaptureQueriesContext(connection) as few:
        assert county.get("/exits/villages/").status_code == 200
    village_exit_apply(actor=village_cadre_a, village=poor_villages, note="申请")
    for index in range(4):
        code = f"530427204{301 + index}"
        area_create(actor=None, code=code, name=f"新村{index}", level="village", is_poor_village=True)
    with CaptureQueriesContext(connection) as more:
        page = county.get("/exits/villages/").content.decode()
    assert "新村3" in page and len(more) == len(few)


def test_api_starts_a_village_exit(api_for, poor_villages, village_cadre_a, village_cadre_b):
    payload = {"area": VILLAGE_A, "note": "申请出列", "year": YEAR}
    assert (
        api_for(village_cadre_b)
        .post("/api/v1/exit-verifications/village-exit/", payload, format="json")
        .status_code
        == 404
    )
    response = api_for(village_cadre_a).post(
        "/api/v1/exit-verifications/village-exit/", payload, format="json"
    )
    assert response.status_code == 201 and response.json()["workflow_type"] == "village_exit"
    assert response.json()["events"][0]["snapshot"]["poverty_incidence"] == "0.30"
