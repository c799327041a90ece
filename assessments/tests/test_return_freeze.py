"""While a 返贫 workflow is open the exited household's facts are frozen like during an exit or an
identification (DOMAIN.md §5.0 rule 4, §5.6): household fields, members, income and 两不愁三保障 edits are
refused with the same code until the proposal is withdrawn or decided; visits stay possible."""

import datetime

import pytest

from assessments.tests.workflow_fixtures import YEAR, fresh
from assessments.workflows.services import return_to_poverty_propose, verification_withdraw
from households.models import HouseholdEvent, IncomeRecord
from households.services import (
    household_update,
    income_record_save,
    living_conditions_record,
    member_add,
    member_update,
)
from households.tests.factories import member_data
from povalleviation.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def exited(ready_household, exit_at):
    exit_at("completed")
    ready_household.refresh_from_db()
    assert ready_household.status == "exited"
    return ready_household


def edits(cadre, household):
    """Every kind of frozen edit, each as a callable."""
    member = household.members.first()
    return {
        "household": lambda: household_update(actor=cadre, household=household, data={"phone": "13800000000"}),
        "member_add": lambda: member_add(
            actor=cadre, household=household, data=member_data(190, name="新成员", relation="20")
        ),
        "member_update": lambda: member_update(actor=cadre, member=member, data={"name": "改名"}),
        "income": lambda: income_record_save(
            actor=cadre, household=household, year=YEAR, data={"wage_income": "100"}
        ),
        "conditions": lambda: living_conditions_record(
            actor=cadre, household=household, year=YEAR, assessed_on=datetime.date(YEAR, 2, 1),
            data={"food_secure": False},
        ),
    }


def test_an_open_return_freezes_the_household_until_withdrawn(exited, village_cadre_a):
    # Before the proposal an exited household's facts can be corrected.
    income_record_save(actor=village_cadre_a, household=exited, year=YEAR, data={"wage_income": "11000"})
    verification = return_to_poverty_propose(actor=village_cadre_a, household=exited, reason="户主因病住院")
    events_before = HouseholdEvent.objects.filter(household=exited).count()
    income_before = IncomeRecord.objects.get(household=exited, year=YEAR).wage_income
    for name, edit in edits(village_cadre_a, exited).items():
        with pytest.raises(ApplicationError) as refused:
            edit()
        assert refused.value.code == "frozen", name
        assert "返贫认定流程" in refused.value.message, name
    exited.refresh_from_db()
    assert exited.status == "exited" and exited.phone != "13800000000"
    assert HouseholdEvent.objects.filter(household=exited).count() == events_before
    assert IncomeRecord.objects.get(household=exited, year=YEAR).wage_income == income_before
    verification_withdraw(
        actor=village_cadre_a, verification=fresh(verification), version=fresh(verification).version,
        note="申报有误，先更正收入",
    )
    income_record_save(actor=village_cadre_a, household=exited, year=YEAR, data={"wage_income": "9000"})
    assert IncomeRecord.objects.get(household=exited, year=YEAR).wage_income == 9000


def test_the_income_page_refuses_the_edit_while_frozen(client_for, exited, village_cadre_a):
    return_to_poverty_propose(actor=village_cadre_a, household=exited, reason="因灾房屋倒塌")
    before = IncomeRecord.objects.get(household=exited, year=YEAR).wage_income
    fields = ["wage_income", "production_income", "production_expense", "property_income", "transfer_income",
              "dibao_income", "pension_income", "eco_compensation_income"]
    data = {"year": YEAR, **dict.fromkeys(fields, "0"), "wage_income": "100"}
    response = client_for(village_cadre_a).post(f"/households/{exited.pk}/income/", data)
    assert response.status_code == 400 and "返贫认定流程" in response.content.decode()
    assert IncomeRecord.objects.get(household=exited, year=YEAR).wage_income == before


def test_an_excel_import_cannot_change_a_household_under_return(exited, village_cadre_a):
    from households.imports.pipeline import import_workbook
    from households.tests.import_files import household_row, member_row, workbook_bytes

    return_to_poverty_propose(actor=village_cadre_a, household=exited, reason="户主因病住院")
    head = exited.members.get(relation="02")
    row = household_row(0, village=exited.area.code, head_name=head.name, 户主身份证号=head.id_number,
                        户编号=exited.household_number, 住址="导入改的住址")
    people = [member_row(0, head=0, name=head.name, 户主身份证号=head.id_number, 身份证号=head.id_number)]
    outcome = import_workbook(source=workbook_bytes([row], people), actor=village_cadre_a)
    (error,) = outcome.result.errors.sorted()
    assert (error.row, error.column) == (2, "户编号") and "返贫认定流程" in error.message
    exited.refresh_from_db()
    assert exited.address != "导入改的住址"
