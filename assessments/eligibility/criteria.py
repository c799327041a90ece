"""The household criteria in Python: one function from facts and parameters to a reason code per criterion.

A reason code fixes the criterion's status (pass / fail / unknown, ``REASON_STATUS``). The set-based SQL in
``household_sql`` computes exactly the same codes with CASE expressions; a test holds the two paths equal
(boundary values included). What is stored per household is small (reason codes, the facts' counts and ids,
the parameter row ids); ``detail`` rebuilds the full per-criterion values from them for pages and the API,
and ``explain`` turns those into plain Chinese.
"""
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from assessments.policy.models import PARAMETER_DEFINITIONS, Comparator, ParameterCode

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"

# Built-in criterion codes (DOMAIN.md §3.11); every household criterion is a gate (blocks exit).
INCOME = "INCOME_PER_CAPITA"
FOOD = "FOOD"
CLOTHING = "CLOTHING"
EDUCATION = "COMPULSORY_EDUCATION"
MEDICAL = "MEDICAL_INSURED"
HOUSING = "HOUSING_SAFE"
WATER = "WATER_SAFE"
HOUSEHOLD_CRITERIA = [INCOME, FOOD, CLOTHING, EDUCATION, MEDICAL, HOUSING, WATER]

PASS_REASONS = ("ok", "no_school_age_children", "retrofit_completed")
UNKNOWN_REASONS = (
    "no_line", "no_comparator", "no_income_record", "no_assessment", "not_assessed", "no_age_band",
    "school_status_missing", "no_members", "not_graded", "no_hospital_data",
)
FAIL_REASONS = (
    "below_line", "not_secure", "dropout", "assessor_not_secure", "uninsured_members", "assessor_not_insured",
    "unsafe_house", "unsafe", "difficult", "self_pay_over_cap",
)
REASON_STATUS = {**{r: PASS for r in PASS_REASONS}, **{r: UNKNOWN for r in UNKNOWN_REASONS},
                 **{r: FAIL for r in FAIL_REASONS}}

# The parameter codes the household engine reads.
HOUSEHOLD_PARAMETER_CODES = [
    ParameterCode.INCOME_LINE, ParameterCode.HOUSEHOLD_INCOME_TEST,
    ParameterCode.COMPULSORY_EDUCATION_AGE_MIN, ParameterCode.COMPULSORY_EDUCATION_AGE_MAX,
    ParameterCode.HOSPITAL_SELF_PAY_RATIO_MAX,
]
# The key of ``criteria`` holding the hospital facts a result was computed from (not a criterion: the
# workflows skip keys starting with "_").
HOSPITAL_KEY = "_hospital"
UNSAFE_HOUSING_GRADES = ("C", "D")


def compare(value, comparator: str, threshold) -> bool:
    if comparator == Comparator.GT:
        return value > threshold
    if comparator == Comparator.GTE:
        return value >= threshold
    if comparator == Comparator.LT:
        return value < threshold
    if comparator == Comparator.LTE:
        return value <= threshold
    if comparator == Comparator.EQ:
        return value == threshold
    raise ValueError(f"unknown comparator {comparator!r}")


@dataclass(frozen=True)
class HouseholdParameters:
    """The rows that apply to one village in one year (None where no row applies)."""

    line: Decimal | None = None
    line_text: str | None = None
    line_id: int | None = None
    comparator: str | None = None
    comparator_id: int | None = None
    age_min: int | None = None
    age_min_id: int | None = None
    age_max: int | None = None
    age_max_id: int | None = None
    # 住院自付比例 cap (P-HE-01); None where the area's rules set none (then only insurance counts).
    self_pay_cap: Decimal | None = None
    self_pay_cap_text: str | None = None
    self_pay_comparator: str | None = None
    self_pay_cap_id: int | None = None

    @property
    def version(self) -> str:
        """The parameter set: the ids of the rows applied, ascending."""
        ids = sorted({i for i in (self.line_id, self.comparator_id, self.age_min_id, self.age_max_id,
                                  self.self_pay_cap_id) if i})
        return ",".join(str(i) for i in ids)

    @classmethod
    def from_rows(cls, rows: dict) -> "HouseholdParameters":
        line = rows.get(ParameterCode.INCOME_LINE)
        test = rows.get(ParameterCode.HOUSEHOLD_INCOME_TEST)
        age_min = rows.get(ParameterCode.COMPULSORY_EDUCATION_AGE_MIN)
        age_max = rows.get(ParameterCode.COMPULSORY_EDUCATION_AGE_MAX)
        cap = rows.get(ParameterCode.HOSPITAL_SELF_PAY_RATIO_MAX)
        cap_comparator = PARAMETER_DEFINITIONS[ParameterCode.HOSPITAL_SELF_PAY_RATIO_MAX].comparator
        return cls(
            line=line.value if line else None, line_text=line.value_text if line else None, line_id=line.pk if line else None,
            comparator=test.comparator if test and test.comparator else None, comparator_id=test.pk if test else None,
            age_min=int(age_min.value) if age_min else None, age_min_id=age_min.pk if age_min else None,
            age_max=int(age_max.value) if age_max else None, age_max_id=age_max.pk if age_max else None,
            self_pay_cap=cap.value if cap and cap.value is not None else None,
            self_pay_cap_text=cap.value_text if cap and cap.value is not None else None,
            self_pay_comparator=(cap.comparator or cap_comparator) if cap and cap.value is not None else None,
            self_pay_cap_id=cap.pk if cap and cap.value is not None else None,
        )


@dataclass(frozen=True)
class HouseholdFacts:
    """What the engine reads about one household for one year."""

    income_id: int | None = None
    income: Decimal | None = None
    conditions: dict | None = field(default=None, compare=False)  # the latest 两不愁三保障 assessment of the year
    conditions_id: int | None = None
    members: int = 0  # members in the household at the year's end
    uninsured: int = 0
    school_age: int = 0
    dropouts: int = 0
    status_missing: int = 0
    # 住院费用 of the year: None when nothing is recorded; else {"records", "member_id", "ratio", "self_paid",
    # "total"} for the member with the highest 住院自付比例 (ratio in %, 2 decimals, None without cost).
    hospital: dict | None = None

    @property
    def hospital_records(self) -> int:
        return self.hospital["records"] if self.hospital else 0

    @property
    def hospital_ratio(self) -> Decimal | None:
        ratio = self.hospital["ratio"] if self.hospital else None
        return None if ratio is None else Decimal(ratio)

    @property
    def fingerprint(self) -> str:
        return facts_fingerprint(income_id=self.income_id, income=self.income, conditions_id=self.conditions_id,
                                 members=self.members, uninsured=self.uninsured, school_age=self.school_age,
                                 dropouts=self.dropouts, status_missing=self.status_missing, hospital=self.hospital)


def facts_fingerprint(*, income_id, income, conditions_id, members, uninsured, school_age, dropouts, status_missing,
                      hospital) -> str:
    """MD5 of the facts a household result reads: the same for the facts loaded and for a stored result."""
    parts = ["i", _text(income_id), _text(income), "c", _text(conditions_id), "m", str(members), str(uninsured),
             str(school_age), str(dropouts), str(status_missing)]
    if hospital:
        parts += ["h", str(hospital["records"]), str(hospital["member_id"]), _text(hospital["ratio"]),
                  str(hospital["self_paid"]), str(hospital["total"])]
    return hashlib.md5("|".join(parts).encode()).hexdigest()


def _text(value) -> str:
    return "" if value is None else str(value)


def _condition(facts: HouseholdFacts, name: str):
    return facts.conditions[name] if facts.conditions else None


def _income_reason(facts: HouseholdFacts, params: HouseholdParameters) -> str:
    if params.line is None:
        return "no_line"
    if params.comparator is None:
        return "no_comparator"
    if facts.income is None:
        return "no_income_record"
    return "ok" if compare(facts.income, params.comparator, params.line) else "below_line"


def _secure_reason(facts: HouseholdFacts, name: str) -> str:
    if facts.conditions is None:
        return "no_assessment"
    value = facts.conditions[name]
    if value is None:
        return "not_assessed"
    return "ok" if value else "not_secure"


def _education_reason(facts: HouseholdFacts, params: HouseholdParameters) -> str:
    assessed = _condition(facts, "compulsory_education_secure")
    if params.age_min is None or params.age_max is None:
        return "no_age_band"
    if facts.dropouts > 0:
        return "dropout"
    if assessed is False:
        return "assessor_not_secure"
    if facts.school_age == 0:
        return "no_school_age_children"
    if facts.status_missing > 0 and assessed is not True:
        return "school_status_missing"
    return "ok"


def _medical_reason(facts: HouseholdFacts, params: HouseholdParameters) -> str:
    if facts.members == 0:
        return "no_members"
    if facts.uninsured > 0:
        return "uninsured_members"
    if _condition(facts, "all_members_insured") is False:
        return "assessor_not_insured"
    if params.self_pay_cap is None:  # the area's rules set no 住院自付 cap for the year
        return "ok"
    if facts.hospital_records == 0:
        return "no_hospital_data"
    ratio = facts.hospital_ratio
    if ratio is not None and not compare(ratio, params.self_pay_comparator, params.self_pay_cap):
        return "self_pay_over_cap"
    return "ok"


def _housing_reason(facts: HouseholdFacts) -> str:
    if facts.conditions is None:
        return "no_assessment"
    grade = facts.conditions["housing_grade"]
    if grade == "":
        return "not_graded"
    if grade in UNSAFE_HOUSING_GRADES:
        return "retrofit_completed" if facts.conditions["retrofit_completed"] else "unsafe_house"
    return "ok"


def _water_reason(facts: HouseholdFacts) -> str:
    if facts.conditions is None:
        return "no_assessment"
    safe, difficult = facts.conditions["water_safe"], facts.conditions["water_difficult"]
    if safe is False:
        return "unsafe"
    if difficult is True:
        return "difficult"
    if safe is None or difficult is None:
        return "not_assessed"
    return "ok"


def overall_from_statuses(statuses) -> bool | None:
    """Any gate failed → False; otherwise any gate unknown → None; else True."""
    statuses = list(statuses)
    if FAIL in statuses:
        return False
    if UNKNOWN in statuses:
        return None
    return True


def overall(criteria: dict) -> bool | None:
    """The same over detailed criteria (dicts with status and gate)."""
    return overall_from_statuses(c["status"] for c in criteria.values() if c.get("gate"))


def evaluate_household(facts: HouseholdFacts, params: HouseholdParameters) -> tuple[bool | None, dict]:
    """(passed, {criterion: reason code, and the hospital facts under HOSPITAL_KEY when any}) — what is stored."""
    reasons = {
        INCOME: _income_reason(facts, params),
        FOOD: _secure_reason(facts, "food_secure"),
        CLOTHING: _secure_reason(facts, "clothing_secure"),
        EDUCATION: _education_reason(facts, params),
        MEDICAL: _medical_reason(facts, params),
        HOUSING: _housing_reason(facts),
        WATER: _water_reason(facts),
    }
    passed = overall_from_statuses(REASON_STATUS[r] for r in reasons.values())
    if facts.hospital:
        reasons[HOSPITAL_KEY] = facts.hospital
    return passed, reasons


def detail(reasons: dict, facts: HouseholdFacts, params: HouseholdParameters) -> dict:
    """Every criterion with its status, reason and the values used (for pages, the API and explanations)."""

    def entry(code, **values):
        reason = reasons[code]
        return {"status": REASON_STATUS[reason], "reason": reason, "gate": True, **values}

    return {
        INCOME: entry(INCOME, value=_text(facts.income) or None, line=params.line_text, comparator=params.comparator,
                      line_parameter_id=params.line_id, comparator_parameter_id=params.comparator_id),
        FOOD: entry(FOOD, value=_condition(facts, "food_secure")),
        CLOTHING: entry(CLOTHING, value=_condition(facts, "clothing_secure")),
        EDUCATION: entry(EDUCATION, school_age=facts.school_age, dropouts=facts.dropouts,
                         status_missing=facts.status_missing, assessed=_condition(facts, "compulsory_education_secure"),
                         age_min=params.age_min, age_max=params.age_max, age_min_parameter_id=params.age_min_id,
                         age_max_parameter_id=params.age_max_id),
        MEDICAL: entry(MEDICAL, members=facts.members, uninsured=facts.uninsured,
                       assessed=_condition(facts, "all_members_insured"),
                       serious_illness_covered=_condition(facts, "serious_illness_covered"),
                       hospital=facts.hospital, self_pay_cap=params.self_pay_cap_text,
                       self_pay_comparator=params.self_pay_comparator, self_pay_cap_parameter_id=params.self_pay_cap_id),
        HOUSING: entry(HOUSING, grade=_condition(facts, "housing_grade"),
                       retrofit_completed=_condition(facts, "retrofit_completed")),
        WATER: entry(WATER, water_safe=_condition(facts, "water_safe"), water_difficult=_condition(facts, "water_difficult")),
    }
