"""住院费用 of a member and year (DOMAIN.md §3.4 基本医疗有保障, §6.2 住院自付比例, §8 Q12)."""
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from households.models import HospitalExpense, Household, HouseholdEvent, Member
from povalleviation.access import Capability, require
from povalleviation.actors import saved_user
from povalleviation.errors import ApplicationError

from .common import record_event, refuse_if_frozen
from .records import _check_year

AMOUNT_FIELDS = ["total_cost", "basic_insurance_paid", "serious_illness_paid", "medical_assistance_paid"]
FIELD_LABELS = {
    "total_cost": "住院总费用", "basic_insurance_paid": "基本医保报销", "serious_illness_paid": "大病保险报销",
    "medical_assistance_paid": "医疗救助",
}


def _amounts(data: dict) -> tuple[dict, dict]:
    values, errors = {}, {}
    for name in AMOUNT_FIELDS:
        raw = data.get(name)
        try:
            value = Decimal(str(raw if raw not in (None, "") else "0"))
        except InvalidOperation:
            errors[name] = f"{FIELD_LABELS[name]}：请输入金额（元）"
            continue
        if value < 0:
            errors[name] = f"{FIELD_LABELS[name]}：金额不能为负数"
        elif value != value.quantize(Decimal("0.01")):
            errors[name] = f"{FIELD_LABELS[name]}：金额最多保留两位小数"
        values[name] = value
    return values, errors


@transaction.atomic
def hospital_expense_save(*, actor, household: Household, member: Member, year: int, data: dict) -> HospitalExpense:
    """Record (or correct) one member's 住院费用 of one year; 个人自付 = 总费用 − 基本医保 − 大病保险 − 医疗救助.

    ``admissions`` 0 with no cost records that the member was not in hospital that year. The household's
    eligibility is re-evaluated after commit (the result keeps the figures it was computed from).
    """
    household = Household.objects.select_for_update().get(pk=household.pk)
    require(actor, Capability.HOUSEHOLD_EDIT, household.area_code)
    refuse_if_frozen(household)
    _check_year(year)
    if member.household_id != household.pk:
        raise ApplicationError("该成员不属于本户", field_errors={"member": "该成员不属于本户"})
    amounts, errors = _amounts(data)
    try:
        admissions = int(data.get("admissions") if data.get("admissions") not in (None, "") else 1)
    except (TypeError, ValueError):
        admissions = None
    if admissions is None or not 0 <= admissions <= 365:
        errors["admissions"] = "住院次数：请填写 0 至 365 的整数"
    if errors:
        raise ApplicationError("住院费用有误：" + "；".join(errors.values()), field_errors=errors)
    record = HospitalExpense.objects.filter(member=member, year=year).first() or HospitalExpense(
        household=household, member=member, year=year
    )
    before = {name: str(getattr(record, name)) for name in [*AMOUNT_FIELDS, "admissions"]} if record.pk else {}
    for name, value in amounts.items():
        setattr(record, name, value)
    record.admissions = admissions
    record.note = (data.get("note") or "")[:300]
    record.recorded_by = saved_user(actor)
    record.compute()
    try:
        record.full_clean(validate_constraints=False)
    except ValidationError as error:
        messages = {field: "；".join(texts) for field, texts in error.message_dict.items()}
        raise ApplicationError("住院费用有误：" + "；".join(messages.values()), field_errors=messages) from error
    record.save()
    after = {name: str(getattr(record, name)) for name in [*AMOUNT_FIELDS, "admissions", "self_paid"]}
    if record.admissions:
        summary = (f"{year} 年{member.name}住院 {record.admissions} 次：总费用 {record.total_cost} 元，"
                   f"个人自付 {record.self_paid} 元（{record.self_pay_ratio}%）")
    else:
        summary = f"{year} 年{member.name}未住院"
    # 住院费用 is a 基本医疗有保障 fact: recorded as a 两不愁三保障 entry, which queues the re-evaluation.
    record_event(household=household, type=HouseholdEvent.Type.CONDITIONS_RECORDED, actor=actor, summary=summary,
                 changes={"hospital_expense": record.pk, "member": member.pk, "year": year, "before": before,
                          "after": after})
    return record
