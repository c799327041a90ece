"""Reads of eligibility results and recompute runs, always scoped to the user."""

from assessments.eligibility.criteria import HouseholdFacts, HouseholdParameters, detail
from assessments.eligibility.engine.explain import explain_area, explain_household, summary
from assessments.eligibility.engine.facts import CONDITION_FIELDS
from assessments.eligibility.models import AreaEligibilityResult, EligibilityResult, RecomputeRun
from assessments.policy.models import PolicyParameter
from households.models import LivingConditions, Member
from povalleviation.access import Capability
from villages.choices import AreaLevel
from villages.codes import area_prefix
from villages.models import Area


def result_details(results) -> tuple[dict, dict]:
    """Each stored result's full criteria (values used, parameter rows applied), rebuilt in two queries for any
    number of results: the 两不愁三保障 assessments read and the parameter rows applied, both by id (neither is
    ever edited in place, so they are what the result was computed from). The 住院费用 figures are stored
    in the result itself; a third query names the members they are about, when there are any."""
    results = list(results)
    condition_ids = {r.conditions_id for r in results if r.conditions_id}
    conditions = {
        row["id"]: row for row in LivingConditions.objects.filter(pk__in=condition_ids).values(*CONDITION_FIELDS)
    } if condition_ids else {}
    parameter_ids = {pk for r in results for pk in r.parameter_ids}
    parameters = {
        p.pk: p for p in PolicyParameter.objects.filter(pk__in=parameter_ids).select_related("area")
    } if parameter_ids else {}
    hospital_members = {r.hospital_member_id for r in results if r.hospital_records is not None}
    names = dict(Member.objects.filter(pk__in=hospital_members).values_list("pk", "name")) if hospital_members else {}
    details = {}
    for r in results:
        hospital = r.hospital
        params = HouseholdParameters.from_rows({parameters[pk].code: parameters[pk] for pk in r.parameter_ids
                                                if pk in parameters})
        facts = HouseholdFacts(
            income_id=r.income_record_id, income=r.per_capita_income, conditions=conditions.get(r.conditions_id),
            conditions_id=r.conditions_id, members=r.members, uninsured=r.uninsured, school_age=r.school_age,
            dropouts=r.dropouts, status_missing=r.school_status_missing,
            hospital={**hospital, "member_name": names.get(hospital["member_id"])} if hospital else None,
        )
        details[r.pk] = detail(r.reasons, facts, params)
    return details, parameters


def household_eligibility(*, household) -> list[dict]:
    """The household's results, newest year first, explained (three queries whatever the number of years)."""
    results = list(EligibilityResult.objects.filter(household=household).order_by("-year"))
    details, parameters = result_details(results)
    explained = []
    for result in results:
        lines = explain_household(details[result.pk], result.year, parameters)
        explained.append({"result": result, "lines": lines, "summary": summary(result.passed, lines, result.year)})
    return explained


def eligibility_results(*, user, year: int | None = None, area_code: str | None = None, passed=None):
    queryset = EligibilityResult.objects.visible_to(user, Capability.HOUSEHOLD_VIEW).select_related("household")
    if year:
        queryset = queryset.filter(year=year)
    if area_code:
        queryset = queryset.filter(household__area_code__startswith=area_prefix(area_code))
    if passed is not None:
        queryset = queryset.filter(passed=passed)
    return queryset.order_by("household__area_code", "household_id", "-year")


def area_results(*, user, year: int | None = None, area_code: str | None = None):
    queryset = AreaEligibilityResult.objects.visible_to(user, Capability.POLICY_VIEW).select_related("area")
    if year:
        queryset = queryset.filter(year=year)
    if area_code:
        queryset = queryset.filter(area__code__startswith=area_prefix(area_code))
    return queryset.order_by("-year", "level", "area__code")


def explained_area_results(results) -> list[dict]:
    return [
        {"result": r, "lines": explain_area(r.criteria, r.level),
         "summary": summary(r.passed, explain_area(r.criteria, r.level), r.year,
                            subject="达到退出标准" if r.level == "village" else "达到摘帽标准")}
        for r in results
    ]


def recompute_runs(*, user):
    return RecomputeRun.objects.visible_to(user, Capability.POLICY_VIEW).select_related("area", "requested_by")


def recompute_areas(*, user):
    """Areas where the user may start a run: the counties inside his scope."""
    return Area.objects.visible_to(user, Capability.ELIGIBILITY_RECOMPUTE).filter(level=AreaLevel.COUNTY).order_by("code")


def eligibility_card_section(household) -> dict:
    """The household card's 脱贫标准评估 section (``households.extensions`` card section)."""
    return {"template": "assessments/eligibility/_household_result.html",
            "context": {"eligibility": household_eligibility(household=household)}}

