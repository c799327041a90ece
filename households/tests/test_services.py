import pytest

from accounts.models import AuditEvent
from conftest import VILLAGE_A, VILLAGE_B
from households.choices import HouseholdStatus
from households.models import Household, HouseholdEvent, Member
from households.services import (
    household_set_status,
    household_update,
    id_number_reveal,
    income_record_save,
    member_add,
)
from households.tests.factories import make_id_number, member_data, register_household
from povalleviation.errors import ApplicationError, Conflict, PermissionDenied
from villages.models import Area


@pytest.mark.django_db
def test_register_derives_sex_birth_and_number(village_cadre_a):
    village = Area.objects.get(code=VILLAGE_A)
    household = register_household(
        actor=village_cadre_a, area=village, sequence=1, head_name="李大",
        members=[member_data(1, name="李大"), member_data(2, name="王二", relation="10", odd=False, birth="19820305")],
    )
    assert household.household_number == f"{VILLAGE_A}0001"
    assert household.member_count == 2
    spouse = household.members.get(relation="10")
    assert spouse.sex == "female" and spouse.birth_date.isoformat() == "1982-03-05"
    assert household.events.filter(type=HouseholdEvent.Type.REGISTERED).count() == 1
    assert household.status_changes.get().to_status == HouseholdStatus.IDENTIFIED


@pytest.mark.django_db
def test_duplicate_person_across_villages_refused_without_revealing(village_cadre_a, village_cadre_b):
    register_household(actor=village_cadre_a, area=Area.objects.get(code=VILLAGE_A), sequence=5, head_name="赵五")
    with pytest.raises(ApplicationError) as refusal:
        register_household(actor=village_cadre_b, area=Area.objects.get(code=VILLAGE_B), sequence=5, head_name="赵五")
    assert "已登记在册" in refusal.value.message and "联系乡镇" in refusal.value.message
    assert "太和" not in refusal.value.message and VILLAGE_A not in refusal.value.message and "赵五" not in refusal.value.message
    assert Household.objects.count() == 1
    audit = AuditEvent.objects.get(action="household.duplicate_lookup")
    assert audit.actor == village_cadre_b and audit.outcome == "denied" and audit.area_code == VILLAGE_B


@pytest.mark.django_db
def test_database_constraint_keeps_one_person_in_one_active_household(village_cadre_a):
    household = register_household(actor=village_cadre_a, area=Area.objects.get(code=VILLAGE_A), sequence=7)
    member = household.members.get()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(household=household, name="影子", id_number=member.id_number, sex="male",
                              birth_date=member.birth_date, relation="20")


@pytest.mark.django_db
def test_cadre_cannot_register_in_other_village(village_cadre_a):
    with pytest.raises(PermissionDenied):
        register_household(actor=village_cadre_a, area=Area.objects.get(code=VILLAGE_B), sequence=9)
    assert Household.objects.count() == 0


@pytest.mark.django_db
def test_update_refuses_stale_version_and_records_changes(village_cadre_a):
    household = register_household(actor=village_cadre_a, area=Area.objects.get(code=VILLAGE_A), sequence=11)
    household_update(actor=village_cadre_a, household=household, data={"address": "太和村上寨 3 号"}, expected_version=1)
    with pytest.raises(Conflict):
        household_update(actor=village_cadre_a, household=household, data={"address": "别处"}, expected_version=1)
    household.refresh_from_db()
    assert household.address == "太和村上寨 3 号" and household.version == 2
    event = household.events.get(type=HouseholdEvent.Type.UPDATED)
    assert event.changes["address"] == ["", "太和村上寨 3 号"] and event.actor == village_cadre_a


@pytest.mark.django_db
def test_status_history_and_freeze(village_cadre_a):
    household = register_household(actor=village_cadre_a, area=Area.objects.get(code=VILLAGE_A), sequence=13)
    household_set_status(actor=village_cadre_a, household=household, to_status=HouseholdStatus.HELPED, reason="结对帮扶到位")
    household_set_status(actor=village_cadre_a, household=household, to_status=HouseholdStatus.EXIT_PENDING, reason="村民小组提名")
    with pytest.raises(ApplicationError) as refusal:
        member_add(actor=village_cadre_a, household=household, data=member_data(14, name="新成员", relation="20"))
    assert refusal.value.code == "frozen"
    with pytest.raises(ApplicationError):
        household_set_status(actor=village_cadre_a, household=household, to_status=HouseholdStatus.IDENTIFIED, reason="x")
    assert [c.to_status for c in household.status_changes.all()] == ["identified", "helped", "exit_pending"]


@pytest.mark.django_db
def test_income_per_capita_and_past_years_unchanged(village_cadre_a):
    household = register_household(actor=village_cadre_a, area=Area.objects.get(code=VILLAGE_A), sequence=15,
                                   members=[member_data(15, name="甲"), member_data(16, name="乙", relation="20")])
    income_record_save(actor=village_cadre_a, household=household, year=2017,
                       data={"wage_income": "6000", "production_income": "3000", "production_expense": "1000", "transfer_income": "1200"})
    income_record_save(actor=village_cadre_a, household=household, year=2018, data={"wage_income": "12000"})
    records = {r.year: r for r in household.income_records.all()}
    assert str(records[2017].net_income) == "9200.00" and str(records[2017].per_capita_net_income) == "4600.00"
    assert str(records[2018].per_capita_net_income) == "6000.00"


@pytest.mark.django_db
def test_id_reveal_is_audited(village_cadre_a, village_cadre_b):
    household = register_household(actor=village_cadre_a, area=Area.objects.get(code=VILLAGE_A), sequence=17)
    member = household.members.get()
    assert id_number_reveal(actor=village_cadre_a, member=member) == make_id_number(17)
    assert household.events.filter(type=HouseholdEvent.Type.ID_REVEALED, actor=village_cadre_a).count() == 1
    with pytest.raises(PermissionDenied):
        id_number_reveal(actor=village_cadre_b, member=member)
