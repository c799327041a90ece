"""Yearly income, 两不愁三保障 facts, help measures, helpers and visits."""
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from households.models import (
    Helper,
    HelperAssignment,
    HelpMeasure,
    Household,
    HouseholdEvent,
    IncomeRecord,
    LivingConditions,
    Visit,
)
from povalleviation.access import Capability, require
from povalleviation.actors import saved_user
from povalleviation.errors import ApplicationError

from .common import record_event, refuse_if_frozen

INCOME_FIELDS = [
    "wage_income", "production_income", "production_expense", "property_income", "transfer_income", "dibao_income",
    "pension_income", "eco_compensation_income",
]
CONDITION_FIELDS = [
    "food_secure", "clothing_secure", "compulsory_education_secure", "education_note", "all_members_insured",
    "serious_illness_covered", "housing_grade", "housing_area_m2", "retrofit_completed", "water_safe", "water_difficult", "note",
]


def _check_year(year):
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not 2013 <= year <= this_year:
        raise ApplicationError(f"年度应在 2013 至 {this_year} 之间", field_errors={"year": f"年度应在 2013 至 {this_year} 之间"})


@transaction.atomic
def income_record_save(*, actor, household: Household, year: int, data: dict) -> IncomeRecord:
    """Save one year's income by component and derive 家庭纯收入 and 人均纯收入 (DOMAIN.md §3.3)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    require(actor, Capability.HOUSEHOLD_EDIT, household.area_code)
    refuse_if_frozen(household)
    _check_year(year)
    record = IncomeRecord.objects.filter(household=household, year=year).first() or IncomeRecord(household=household, year=year)
    before = {name: str(getattr(record, name)) for name in INCOME_FIELDS} if record.pk else {}
    errors = {}
    for name in INCOME_FIELDS:
        if name in data:
            try:
                value = Decimal(str(data[name] if data[name] not in (None, "") else "0"))
            except InvalidOperation:
                errors[name] = "请输入金额（元）"
                continue
            if value < 0:
                errors[name] = "金额不能为负数"
            setattr(record, name, value)
    if errors:
        raise ApplicationError("收入有误", field_errors=errors)
    record.member_count = int(data.get("member_count") or household.member_count or 1)
    record.recorded_by = saved_user(actor)
    record.compute()
    record.full_clean()
    record.save()
    record_event(household=household, type=HouseholdEvent.Type.INCOME_RECORDED, actor=actor,
                 summary=f"{year} 年收入：人均纯收入 {record.per_capita_net_income} 元",
                 changes={"year": year, "before": before, "after": {n: str(getattr(record, n)) for n in INCOME_FIELDS},
                          "per_capita_net_income": str(record.per_capita_net_income)})
    return record


@transaction.atomic
def living_conditions_record(*, actor, household: Household, year: int, assessed_on, data: dict) -> LivingConditions:
    """Record a 两不愁三保障 assessment (several per year allowed; the latest counts)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    require(actor, Capability.HOUSEHOLD_EDIT, household.area_code)
    refuse_if_frozen(household)
    _check_year(year)
    conditions = LivingConditions(household=household, year=year, assessed_on=assessed_on,
                                  assessed_by=saved_user(actor),
                                  **{name: data[name] for name in CONDITION_FIELDS if name in data})
    conditions.full_clean()
    conditions.save()
    record_event(household=household, type=HouseholdEvent.Type.CONDITIONS_RECORDED, actor=actor,
                 summary=f"{year} 年两不愁三保障评估（{assessed_on}）",
                 changes={"year": year, **{name: str(getattr(conditions, name)) for name in CONDITION_FIELDS}})
    return conditions


@transaction.atomic
def help_measure_add(*, actor, household: Household, data: dict) -> HelpMeasure:
    """Add a help measure; new measures stay allowed during exit workflows (DOMAIN.md §5.0 rule 4)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    require(actor, Capability.HOUSEHOLD_EDIT, household.area_code)
    if data.get("member") is not None and data["member"].household_id != household.pk:
        raise ApplicationError("受益成员不属于本户", field_errors={"member": "受益成员不属于本户"})
    measure = HelpMeasure(household=household, created_by=saved_user(actor), **data)
    measure.full_clean()
    measure.save()
    record_event(household=household, type=HouseholdEvent.Type.MEASURE_ADDED, actor=actor,
                 summary=f"{measure.year} 年 {measure.get_category_display()}：{measure.measure}",
                 changes={"category": measure.category, "measure": measure.measure, "amount": str(measure.amount)})
    return measure


@transaction.atomic
def helper_create(*, actor, area, name: str, unit: str, phone: str = "", position: str = "") -> Helper:
    require(actor, Capability.HOUSEHOLD_EDIT, area.code)
    helper = Helper(area=area, name=name, unit=unit, phone=phone, position=position)
    helper.full_clean()
    helper.save()
    return helper


@transaction.atomic
def helper_assign(*, actor, household: Household, helper: Helper, start_date=None) -> HelperAssignment:
    household = Household.objects.select_for_update().get(pk=household.pk)
    require(actor, Capability.HOUSEHOLD_EDIT, household.area_code)
    if not household.area_code.startswith(helper.area.code[: len(helper.area.scope_prefix)]):
        raise ApplicationError("该帮扶责任人不属于本户所在区域", field_errors={"helper": "帮扶责任人不属于本户所在区域"})
    assignment, _ = HelperAssignment.objects.get_or_create(
        helper=helper, household=household, end_date=None, defaults={"start_date": start_date or timezone.localdate()}
    )
    record_event(household=household, type=HouseholdEvent.Type.HELPER_ASSIGNED, actor=actor,
                 summary=f"结对帮扶责任人 {helper}", changes={"helper": helper.name, "unit": helper.unit})
    return assignment


@transaction.atomic
def helper_pair(*, actor, household: Household, name: str, unit: str, phone: str = "", position: str = "",
                start_date=None) -> HelperAssignment:
    """Register a new 帮扶责任人 in the household's village and pair them with the household, together."""
    helper = helper_create(actor=actor, area=household.village, name=name, unit=unit, phone=phone, position=position)
    return helper_assign(actor=actor, household=household, helper=helper, start_date=start_date)


@transaction.atomic
def visit_record(*, actor, household: Household, data: dict) -> Visit:
    household = Household.objects.get(pk=household.pk)
    require(actor, Capability.VISIT_RECORD, household.area_code)
    visit = Visit(household=household, recorded_by=saved_user(actor), **data)
    if visit.helper_id and not HelperAssignment.objects.filter(helper_id=visit.helper_id, household=household).exists():
        raise ApplicationError("该帮扶责任人未与本户结对", field_errors={"helper": "未与本户结对"})
    visit.full_clean()
    visit.save()
    record_event(household=household, type=HouseholdEvent.Type.VISIT_RECORDED, actor=actor,
                 summary=f"{visit.visited_on} {visit.get_kind_display()}：{visit.visitor_name}",
                 changes={"visited_on": visit.visited_on.isoformat(), "kind": visit.kind})
    return visit
