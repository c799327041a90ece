"""住院费用: the service (self-paid derived, validation in Chinese, one row per member and year, the
household frozen while a workflow runs) and the form page (login, 403, 404, in area)."""
from decimal import Decimal

import pytest

from households.models import HospitalExpense, HouseholdEvent
from households.services import household_set_status
from households.services.medical import hospital_expense_save
from povalleviation.errors import ApplicationError, PermissionDenied

pytestmark = pytest.mark.django_db

STAY = {"admissions": "2", "total_cost": "12000", "basic_insurance_paid": "8400", "serious_illness_paid": "1500",
        "medical_assistance_paid": "900"}


def test_self_paid_is_derived_and_a_correction_replaces_the_year(village_cadre_a, household_a):
    wang = household_a.members.get(name="王秀")
    record = hospital_expense_save(actor=village_cadre_a, household=household_a, member=wang, year=2018, data=STAY)
    assert (record.self_paid, record.self_pay_ratio) == (Decimal("1200.00"), Decimal("10.00"))
    again = hospital_expense_save(actor=village_cadre_a, household=household_a, member=wang, year=2018,
                                  data={**STAY, "basic_insurance_paid": "8000"})
    assert again.pk == record.pk and again.self_paid == Decimal("1600.00") and HospitalExpense.objects.count() == 1
    event = HouseholdEvent.objects.filter(household=household_a, type="conditions_recorded").latest("id")
    assert "王秀住院 2 次" in event.summary and event.changes["before"]["basic_insurance_paid"] == "8400.00"
    none = hospital_expense_save(actor=village_cadre_a, household=household_a, member=household_a.members.get(name="李大"),
                                 year=2018, data={"admissions": "0"})
    assert (none.total_cost, none.self_paid, none.self_pay_ratio) == (0, 0, None)


@pytest.mark.parametrize("data, field, message", [
    ({**STAY, "basic_insurance_paid": "13000"}, "total_cost", "住院总费用不能少于基本医保、大病保险和医疗救助报销之和"),
    ({**STAY, "total_cost": "-1"}, "total_cost", "住院总费用：金额不能为负数"),
    ({**STAY, "total_cost": "abc"}, "total_cost", "住院总费用：请输入金额（元）"),
    ({**STAY, "admissions": "0"}, "admissions", "有住院费用时住院次数不能为 0"),
    ({"admissions": "1"}, "total_cost", "有住院时请填写住院总费用"),
])
def test_wrong_figures_are_refused_naming_the_field(village_cadre_a, household_a, data, field, message):
    with pytest.raises(ApplicationError) as raised:
        hospital_expense_save(actor=village_cadre_a, household=household_a, member=household_a.members.first(),
                              year=2018, data=data)
    assert message in raised.value.field_errors[field] and message in raised.value.message
    assert not HospitalExpense.objects.exists()


def test_other_households_members_other_areas_and_frozen_households_are_refused(village_cadre_a, village_cadre_b,
                                                                                household_a, household_b):
    with pytest.raises(ApplicationError, match="该成员不属于本户"):
        hospital_expense_save(actor=village_cadre_a, household=household_a, member=household_b.members.get(), year=2018,
                              data=STAY)
    with pytest.raises(PermissionDenied):
        hospital_expense_save(actor=village_cadre_b, household=household_a, member=household_a.members.first(),
                              year=2018, data=STAY)
    household_set_status(actor=village_cadre_a, household=household_a, to_status="helped", reason="帮扶")
    household_set_status(actor=village_cadre_a, household=household_a, to_status="exit_pending", reason="拟退出")
    with pytest.raises(ApplicationError, match="已冻结"):
        hospital_expense_save(actor=village_cadre_a, household=household_a, member=household_a.members.first(),
                              year=2018, data=STAY)


def test_form_page_is_scoped(client, client_for, village_cadre_a, village_cadre_b, township_officer, household_a):
    url = f"/households/{household_a.pk}/hospital/"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client_for(township_officer).get(url).status_code == 403  # may look, may not edit
    assert client_for(village_cadre_b).get(url).status_code == 404
    assert client_for(village_cadre_b).post(url, {**STAY, "year": "2018", "member": household_a.members.first().pk}
                                            ).status_code == 404
    cadre = client_for(village_cadre_a)
    page = cadre.get(url).content.decode()
    assert "登记住院费用" in page and "王秀" in page and "尚未登记住院费用" in page
    wang = household_a.members.get(name="王秀")
    response = cadre.post(url, {**STAY, "year": "2018", "member": wang.pk, "note": "县医院"})
    assert response.status_code == 302 and response["Location"] == f"/households/{household_a.pk}/"
    assert HospitalExpense.objects.get().note == "县医院"
    refused = cadre.post(url, {**STAY, "basic_insurance_paid": "13000", "year": "2018", "member": wang.pk})
    assert refused.status_code == 400 and "住院总费用不能少于" in refused.content.decode()
    listed = cadre.get(url).content.decode()
    assert "10.00%" in listed and "1200.00" in listed
    assert f'href="{url}"' in cadre.get(f"/households/{household_a.pk}/").content.decode()
