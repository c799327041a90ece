"""Reading a batch of households' facts for one year in four queries (the Python path of the engine)."""
import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from assessments.eligibility.criteria import HouseholdFacts, HouseholdParameters
from households.choices import MemberStatus, StudentStatus
from households.models import HospitalExpense, IncomeRecord, LivingConditions, Member

CONDITION_FIELDS = [
    "id", "household_id", "assessed_on", "food_secure", "clothing_secure", "compulsory_education_secure",
    "all_members_insured", "serious_illness_covered", "housing_grade", "retrofit_completed", "water_safe",
    "water_difficult",
]


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def members_at_year_end_q(year: int, prefix: str = "") -> Q:
    """Members counted for a year: born by its end and still in the household at its end (DOMAIN.md Q23)."""
    end = year_end(year)
    return Q(**{f"{prefix}birth_date__lte": end}) & (
        Q(**{f"{prefix}status": MemberStatus.ACTIVE}) | Q(**{f"{prefix}left_date__gt": end})
    )


def self_pay_ratio(self_paid: Decimal, total: Decimal) -> Decimal | None:
    """住院自付比例 in %, 2 decimals, half up (as PostgreSQL's round); None without cost (DOMAIN.md §6.2)."""
    if not total:
        return None
    return (self_paid * 100 / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def hospital_facts(rows) -> dict[int, dict]:
    """household id → the hospital facts the engine stores: how many member-year rows are recorded and the
    member with the highest 住院自付比例 (ties: the lowest member id; members without cost come last)."""
    by_household = defaultdict(list)
    for row in rows:
        by_household[row["household_id"]].append(row)
    facts = {}
    for household_id, household_rows in by_household.items():
        worst = min(household_rows, key=lambda r: (self_pay_ratio(r["self_paid"], r["total_cost"]) is None,
                                                   -(self_pay_ratio(r["self_paid"], r["total_cost"]) or 0), r["member_id"]))
        ratio = self_pay_ratio(worst["self_paid"], worst["total_cost"])
        facts[household_id] = {
            "records": len(household_rows), "member_id": worst["member_id"], "ratio": None if ratio is None else str(ratio),
            "self_paid": str(worst["self_paid"]), "total": str(worst["total_cost"]),
        }
    return facts


def load_household_facts(*, household_ids: list[int], year: int,
                         params_by_household: dict[int, HouseholdParameters]) -> dict[int, HouseholdFacts]:
    incomes = {
        row["household_id"]: row
        for row in IncomeRecord.objects.filter(household_id__in=household_ids, year=year).values(
            "household_id", "id", "per_capita_net_income"
        )
    }
    latest_conditions = {}
    for row in (
        LivingConditions.objects.filter(household_id__in=household_ids, year=year)
        .order_by("household_id", "-assessed_on", "-id").values(*CONDITION_FIELDS)
    ):
        latest_conditions.setdefault(row["household_id"], row)
    counts = defaultdict(lambda: {"members": 0, "uninsured": 0, "school_age": 0, "dropouts": 0, "status_missing": 0})
    members = Member.objects.filter(members_at_year_end_q(year), household_id__in=household_ids).values(
        "household_id", "has_medical_insurance", "birth_date", "student_status"
    )
    for member in members:
        household_counts = counts[member["household_id"]]
        household_counts["members"] += 1
        if not member["has_medical_insurance"]:
            household_counts["uninsured"] += 1
        params = params_by_household.get(member["household_id"])
        if params is None or params.age_min is None or params.age_max is None:
            continue
        if params.age_min <= year - member["birth_date"].year <= params.age_max:
            household_counts["school_age"] += 1
            if member["student_status"] == StudentStatus.DROPOUT:
                household_counts["dropouts"] += 1
            elif member["student_status"] == StudentStatus.NONE:
                household_counts["status_missing"] += 1
    hospital = hospital_facts(HospitalExpense.objects.filter(household_id__in=household_ids, year=year).values(
        "household_id", "member_id", "self_paid", "total_cost"))
    facts = {}
    for household_id in household_ids:
        income = incomes.get(household_id)
        conditions = latest_conditions.get(household_id)
        facts[household_id] = HouseholdFacts(
            income_id=income["id"] if income else None,
            income=income["per_capita_net_income"] if income else None,
            conditions=conditions,
            conditions_id=conditions["id"] if conditions else None,
            hospital=hospital.get(household_id),
            **counts[household_id],
        )
    return facts
