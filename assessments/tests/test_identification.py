"""Identification (两公示一比对一公告) with the departments' lists, and 返贫 (county decides) with monitoring."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessments.tests.workflow_fixtures import (
    YEAR,
    approve,
    fresh,
    nominate,
    open_publicity,
    publicize,
    review,
)
from assessments.workflows.models import ComparisonMatch, ExternalListEntry, Verification
from assessments.workflows.services import (
    comparison_match_explain,
    external_list_load,
    identification_apply,
    identification_compare,
    monitoring_flag_set,
    publicity_close,
    return_to_poverty_propose,
    verification_reject,
)
from assessments.workflows.tasks import run_identification_comparison_task
from conftest import COUNTY, VILLAGE_A
from households.models import Household, Member
from households.selectors import county_summary
from households.tests.factories import make_id_number, member_data, register_household
from povalleviation.errors import ApplicationError, NotFound, PermissionDenied
from villages.models import Area

pytestmark = pytest.mark.django_db

HEAD, CHILD = make_id_number(150), make_id_number(151, birth="20100101", odd=False)


def apply(actor, *, members=None, area_code=VILLAGE_A):
    return identification_apply(
        actor=actor,
        area=Area.objects.get(code=area_code),
        note="因病致贫，申请纳入",
        data={"primary_cause": "ILLNESS", "category": "general", "address": "太和村下寨"},
        members=members
        or [
            member_data(150, name="杨老大"),
            member_data(
                151,
                name="杨小妹",
                relation="30",
                birth="20100101",
                odd=False,
                labour_capacity="none",
                student_status="primary",
            ),
        ],
    )


@pytest.fixture
def lists(areas, exit_parameters):
    county = Area.objects.get(code=COUNTY)
    external_list_load(
        actor=None,
        area=county,
        kind="vehicle",
        rows=[{"id_number": HEAD, "name": "杨老大", "note": "云F·12345"}],
    )
    external_list_load(actor=None, area=county, kind="dibao", rows=[{"id_number": CHILD, "name": "杨小妹"}])
    return county


def to_comparison(verification, *, cadre, secretary, township):
    review(secretary, verification)
    publicize(cadre, verification)
    approve(township, verification, "township_review")
    publicize(township, verification)
    return fresh(verification)


def test_identification_from_application_to_announcement(
    lists, village_cadre_a, first_secretary_a, township_officer, county_officer, leading_group_staff
):
    verification = apply(village_cadre_a)
    household = verification.household
    assert household.status == "candidate" and household.identification_year == YEAR
    assert Member.objects.filter(household=household, is_registered=True).count() == 2
    verification = to_comparison(
        verification, cadre=village_cadre_a, secretary=first_secretary_a, township=township_officer
    )
    assert verification.current_step == "county_comparison" and verification.publicities.count() == 2
    assert verification.publicities.get(step_code="township_publicity").area.code == "530427204000"

    with pytest.raises(ApplicationError) as missing:
        approve(county_officer, verification, "county_comparison")
    assert missing.value.code == "comparison_missing"
    matches = identification_compare(actor=county_officer, verification=fresh(verification))
    assert {(m.person_name, m.source, m.is_blocking) for m in matches} == {
        ("杨老大", "vehicle", True),
        ("杨小妹", "dibao", False),
    }
    assert all(HEAD not in m.detail and "*" in m.masked_id_number for m in matches)
    with pytest.raises(ApplicationError) as unexplained:
        approve(county_officer, verification, "county_comparison")
    assert unexplained.value.code == "comparison_unexplained" and "杨老大" in unexplained.value.message
    vehicle = ComparisonMatch.objects.get(source="vehicle")
    with pytest.raises(PermissionDenied):
        comparison_match_explain(
            actor=township_officer, match=vehicle, version=fresh(verification).version, explanation="x"
        )
    comparison_match_explain(
        actor=county_officer,
        match=vehicle,
        version=fresh(verification).version,
        explanation="车辆为报废农用三轮车，经交警核实已注销",
    )
    # A re-run keeps the explanation already written.
    identification_compare(actor=county_officer, verification=fresh(verification))
    assert ComparisonMatch.objects.get(source="vehicle").explanation.startswith("车辆为报废")
    approve(county_officer, verification, "county_comparison")
    approve(leading_group_staff, verification, "announce")

    household.refresh_from_db()
    verification = fresh(verification)
    assert household.status == "identified" and household.identification_year == timezone.localdate().year
    assert verification.status == "completed"
    decided = {m["source"]: m for m in verification.decision_snapshot["comparison"]}
    assert (
        decided["vehicle"]["explanation"].startswith("车辆为报废") and decided["dibao"]["blocking"] is False
    )
    assert household.status_changes.last().workflow == "identification"


def test_comparison_is_queued_when_the_step_is_reached_and_the_task_runs_it(
    lists, village_cadre_a, first_secretary_a, township_officer, django_capture_on_commit_callbacks
):
    verification = apply(village_cadre_a)
    review(first_secretary_a, verification)
    publicize(village_cadre_a, verification)
    approve(township_officer, verification, "township_review")
    publicity = open_publicity(township_officer, verification, location="乡政府公告栏")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publicity_close(
            actor=township_officer,
            verification=fresh(verification),
            version=verification.version,
            today=publicity.end_date,
        )
    assert len(callbacks) == 1
    result = run_identification_comparison_task(verification.pk)
    assert result == {"verification": verification.pk, "matches": 2}
    assert fresh(verification).events.filter(action="comparison_run", actor=None).count() == 1
    # Idempotent: a second run replaces the matches, it does not add to them.
    run_identification_comparison_task(verification.pk)
    assert ComparisonMatch.objects.filter(verification=verification).count() == 2
    assert run_identification_comparison_task(999999) == {"verification": 999999, "skipped": True}


def test_rejected_application_is_archived_and_frees_the_people(
    lists, village_cadre_a, first_secretary_a, township_officer
):
    verification = apply(village_cadre_a)
    review(first_secretary_a, verification)
    publicize(village_cadre_a, verification)
    verification_reject(
        actor=township_officer,
        verification=fresh(verification),
        version=verification.version,
        note="入户核实收入高于标准",
    )
    household = Household.objects.get(pk=verification.household_id)
    assert (
        household.status == "removed"
        and not Member.objects.filter(household=household, is_registered=True).exists()
    )
    # The same people may apply again later.
    assert apply(village_cadre_a).household.status == "candidate"


def test_one_person_one_household_applies_to_candidates(lists, village_cadre_a, village_cadre_b):
    apply(village_cadre_a)
    with pytest.raises(ApplicationError) as refused:
        apply(village_cadre_b, area_code="530427204209", members=[member_data(150, name="杨老大")])
    assert refused.value.code == "duplicate_person"
    assert Verification.objects.count() == 1 and Household.objects.count() == 1


def test_who_may_apply(lists, township_officer, village_cadre_b):
    with pytest.raises(PermissionDenied):
        apply(township_officer)
    with pytest.raises(NotFound):
        apply(village_cadre_b)
    assert not Household.objects.exists()


def test_loader_command_replaces_a_list_and_refuses_bad_files(lists, tmp_path):
    good = tmp_path / "vehicle.csv"
    good.write_text(
        f"身份证号,姓名,说明\n{make_id_number(160)},张三,云F·1\n{make_id_number(161)},李四,\n",
        encoding="utf-8",
    )
    call_command("load_external_list", str(good), area=COUNTY, kind="vehicle")
    assert set(ExternalListEntry.objects.filter(kind="vehicle").values_list("name", flat=True)) == {
        "张三",
        "李四",
    }
    bad = tmp_path / "bad.csv"
    bad.write_text(f"id_number,name\n{make_id_number(162)},王五\n123456,坏号码\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("load_external_list", str(bad), area=COUNTY, kind="vehicle")
    assert "第 3 行" in str(refused.value)
    assert set(ExternalListEntry.objects.filter(kind="vehicle").values_list("name", flat=True)) == {
        "张三",
        "李四",
    }
    with pytest.raises(CommandError):
        call_command("load_external_list", str(good), area=VILLAGE_A, kind="vehicle")


def test_identification_page(client, client_for, lists, village_cadre_a, township_officer):
    assert client.get("/exits/identification/new/").status_code == 302
    assert client_for(township_officer).get("/exits/identification/new/").status_code == 403
    cadre = client_for(village_cadre_a)
    assert "识别纳入申请" in cadre.get("/exits/identification/new/").content.decode()
    form = {
        "area": VILLAGE_A,
        "identification_year": str(YEAR),
        "category": "general",
        "primary_cause": "ILLNESS",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-name": "杨老大",
        "members-0-id_number": HEAD,
        "members-0-relation": "02",
        "members-0-health_status": "healthy",
        "members-0-labour_capacity": "full",
    }
    missing = cadre.post("/exits/identification/new/", form)
    assert missing.status_code == 400 and not Household.objects.exists()
    response = cadre.post("/exits/identification/new/", {**form, "application_note": "因病致贫"})
    verification = Verification.objects.get()
    assert response.status_code == 302 and verification.workflow_type == "identification"
    assert verification.household.head_name == "杨老大" and verification.household.status == "candidate"


def test_return_to_poverty_county_decides(
    ready_household,
    village_cadre_a,
    village_cadre_b,
    first_secretary_a,
    township_officer,
    county_officer,
    leading_group_staff,
    exit_at,
):
    with pytest.raises(ApplicationError) as not_exited:
        return_to_poverty_propose(actor=village_cadre_a, household=ready_household, reason="因病")
    assert not_exited.value.code == "not_exited"
    exit_at("completed")
    ready_household.refresh_from_db()
    with pytest.raises(NotFound):
        return_to_poverty_propose(actor=village_cadre_b, household=ready_household, reason="因病")
    with pytest.raises(PermissionDenied):
        return_to_poverty_propose(actor=township_officer, household=ready_household, reason="因病")
    verification = return_to_poverty_propose(
        actor=village_cadre_a, household=ready_household, reason="户主患大病，医疗支出 8 万元"
    )
    review(first_secretary_a, verification)
    publicize(village_cadre_a, verification)
    approve(township_officer, verification, "township_review")
    ready_household.refresh_from_db()
    assert ready_household.status == "exited"
    with pytest.raises(PermissionDenied):
        approve(leading_group_staff, verification, "county_decide")
    approve(county_officer, verification, "county_decide")
    ready_household.refresh_from_db()
    assert ready_household.status == "returned" and fresh(verification).status == "completed"
    totals = county_summary(user=county_officer, county=Area.objects.get(code=COUNTY))["totals"]
    assert totals["returned_households"] == 1
    # Re-enters help: it can be nominated again later.
    assert nominate(village_cadre_a, ready_household).prior_household_status == "returned"


def test_monitoring_flag_for_an_edge_household(village_cadre_a, township_officer, exit_parameters):
    household = register_household(actor=village_cadre_a, area=Area.objects.get(code=VILLAGE_A), sequence=170)
    with pytest.raises(ApplicationError):
        monitoring_flag_set(actor=village_cadre_a, household=household, flag="edge", reason="")
    with pytest.raises(PermissionDenied):
        monitoring_flag_set(actor=township_officer, household=household, flag="edge", reason="收入波动")
    monitoring_flag_set(
        actor=village_cadre_a, household=household, flag="edge", reason="收入接近标准线，纳入监测"
    )
    household.refresh_from_db()
    assert household.monitoring_flag == "edge"
    totals = county_summary(user=township_officer, county=Area.objects.get(code=COUNTY))["totals"]
    assert totals["monitored_households"] == 1
    assert household.events.filter(type="updated").exists()
