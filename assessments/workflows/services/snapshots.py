"""What a household decision is taken on: the record's facts, its helpers and measures, and the eligibility
result, as plain JSON (DOMAIN.md §5.0 rule 3). ``facts`` holds what is frozen while a workflow runs; its own
hash lets a later step prove nothing changed since the nomination (DOMAIN.md §5.1 step 5)."""

from households.idnumber import mask_id_number
from households.models import HelperAssignment, HelpMeasure, Household, IncomeRecord, LivingConditions, Member

from .common import sha256_of

HOUSEHOLD_FIELDS = [
    "household_number",
    "head_name",
    "area_code",
    "category",
    "primary_cause",
    "other_causes",
    "identification_year",
    "planned_exit_year",
    "member_count",
    "is_relocated",
    "is_zhiguo_minzu",
]
MEMBER_FIELDS = [
    "name",
    "relation",
    "sex",
    # Stored as decided on (a snapshot taken before an upgrade must still compare equal); pages and the API
    # show it through snapshot_for_display as the birth year, never beside the masked ID number.
    "birth_date",
    "labour_capacity",
    "health_status",
    "student_status",
    "disability_category",
    "is_dibao",
    "tekun",
    "has_medical_insurance",
    "has_serious_illness_insurance",
    "status",
]
INCOME_FIELDS = [
    "year",
    "wage_income",
    "production_income",
    "production_expense",
    "property_income",
    "transfer_income",
    "dibao_income",
    "pension_income",
    "eco_compensation_income",
    "member_count",
    "net_income",
    "per_capita_net_income",
]
CONDITION_FIELDS = [
    "year",
    "assessed_on",
    "food_secure",
    "clothing_secure",
    "compulsory_education_secure",
    "education_note",
    "all_members_insured",
    "serious_illness_covered",
    "housing_grade",
    "retrofit_completed",
    "water_safe",
    "water_difficult",
]


def _row(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


def household_facts(household: Household, year: int) -> dict:
    household = Household.objects.select_related("area", "village").get(pk=household.pk)
    members = Member.objects.filter(household=household, is_registered=True).order_by("id")
    income = IncomeRecord.objects.filter(household=household, year=year).first()
    conditions = (
        LivingConditions.objects.filter(household=household, year=year)
        .order_by("-assessed_on", "-id")
        .first()
    )
    return {
        "household": {
            "id": household.pk,
            **_row(household, HOUSEHOLD_FIELDS),
            "area_name": household.area.name,
            "village_name": household.village.name,
        },
        "members": [
            {"id": m.pk, "masked_id_number": mask_id_number(m.id_number), **_row(m, MEMBER_FIELDS)}
            for m in members
        ],
        "income": _row(income, INCOME_FIELDS) if income else None,
        "living_conditions": {"id": conditions.pk, **_row(conditions, CONDITION_FIELDS)}
        if conditions
        else None,
    }


def snapshot_for_display(snapshot):
    """A stored snapshot as approvers see it (pages and API): a member's birth date, kept by snapshots taken
    before birth years replaced it, is shown as the birth year, so no masked ID beside it can be completed."""
    if isinstance(snapshot, dict):
        shown = {}
        for key, value in snapshot.items():
            if key == "birth_date":
                year = str(value or "")[:4]
                shown["birth_year"] = int(year) if year.isdigit() else None
            else:
                shown[key] = snapshot_for_display(value)
        return shown
    if isinstance(snapshot, list):
        return [snapshot_for_display(value) for value in snapshot]
    return snapshot


def eligibility_dict(result) -> dict | None:
    """The stored eligibility result as decided on: conclusion, criteria, parameter rows and the facts read."""
    if result is None:
        return None
    extra = ("per_capita_income", "income_record_id", "conditions_id", "data_fingerprint")
    return {
        "year": result.year,
        "passed": result.passed,
        "criteria": result.criteria,
        "parameter_version": getattr(result, "parameter_version", ""),
        "computed_at": result.computed_at,
        **{name: getattr(result, name) for name in extra if hasattr(result, name)},
    }


def evaluate_eligibility(household, year: int):
    """Run the eligibility engine for the household and year (the other half of issue 5)."""
    from assessments.eligibility import services as eligibility

    evaluate = (
        getattr(eligibility, "household_eligibility_evaluate", None)
        or eligibility.eligibility_evaluate_household
    )
    return evaluate(household=household, year=year)


def criterion_status(criterion) -> str:
    """pass / fail / unknown of one stored criterion: a reason code (mapped by the engine's REASON_STATUS)
    or a detailed dict with its status."""
    if isinstance(criterion, dict):
        return criterion.get("status") or criterion.get("result") or "unknown"
    from assessments.eligibility.criteria import REASON_STATUS

    return REASON_STATUS.get(criterion, "unknown")


def failing_criteria(result) -> list[str]:
    """Codes of the gates that did not pass (failed or could not be judged)."""
    if result is None:
        return ["ELIGIBILITY"]
    failing = []
    for code, criterion in (result.criteria or {}).items():
        if code.startswith("_") or (isinstance(criterion, dict) and criterion.get("gate") is False):
            continue
        if criterion_status(criterion) != "pass":
            failing.append(code)
    return failing


def household_snapshot(household: Household, year: int, *, eligibility=None) -> dict:
    facts = household_facts(household, year)
    current = Household.objects.only("status", "version", "monitoring_flag").get(pk=household.pk)
    helpers = HelperAssignment.objects.filter(household=household, end_date__isnull=True).select_related(
        "helper"
    )
    measures = HelpMeasure.objects.filter(household=household).order_by("-year", "id")
    return {
        "kind": "household",
        "year": year,
        "facts": facts,
        "facts_sha256": sha256_of(facts),
        "status": current.status,
        "household_version": current.version,
        "monitoring_flag": current.monitoring_flag,
        "helpers": [
            {"name": a.helper.name, "unit": a.helper.unit, "start_date": a.start_date} for a in helpers
        ],
        "measures": [
            {
                "year": m.year,
                "category": m.category,
                "measure": m.measure,
                "amount": m.amount,
                "status": m.status,
            }
            for m in measures
        ],
        "eligibility": eligibility_dict(eligibility),
    }


def household_publicity_content(verification, *, title: str, reason: str) -> dict:
    """The notice-board text: head of household, size, group, reason — never a full ID number."""
    household = Household.objects.select_related("area", "village").get(pk=verification.household_id)
    return {
        "title": title,
        "year": verification.year,
        "village": household.village.name,
        "group": household.area.name if household.area_id != household.village_id else "",
        "head_name": household.head_name,
        "household_number": household.household_number,
        "household_size": household.member_count,
        "reason": reason,
    }
