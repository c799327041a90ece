"""Reads of policy parameters, eligibility results and recompute runs, always scoped to the user."""
from django.http import Http404

from assessments.engine.criteria import HouseholdFacts, HouseholdParameters, detail
from assessments.engine.explain import explain_area, explain_household, summary
from assessments.engine.facts import CONDITION_FIELDS
from assessments.models import AreaEligibilityResult, EligibilityResult, PolicyParameter, RecomputeRun
from assessments.models.parameters import PARAMETER_DEFINITIONS, ParameterCode
from assessments.services.parameters import parameter_values_for_area
from households.models import LivingConditions, Member
from povalleviation.access import Capability, covers, scope_prefixes
from villages.choices import AreaLevel
from villages.models import Area


def default_area(*, user, capability=Capability.POLICY_VIEW):
    """The widest area where the user holds ``capability`` (the first page a user sees)."""
    prefixes = scope_prefixes(user, capability)
    if not prefixes:
        return None
    codes = [p.ljust(12, "0") if len(p) <= 12 else p for p in prefixes]
    return Area.objects.filter(code__in=codes).order_by("code").first()


def visible_area(*, user, code: str, capability=Capability.POLICY_VIEW):
    """An area the user may look at for policy purposes: inside his scope, or an ancestor of it (the rows
    an area inherits are shown read-only). Anything else → 404."""
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise Http404
    prefixes = scope_prefixes(user, capability)
    if any(area.code.startswith(p) or p.startswith(area.scope_prefix) for p in prefixes):
        return area
    raise Http404


def parameter_overview(*, user, area, year: int) -> list[dict]:
    """For each parameter: the row that applies at ``area`` in ``year``, where it comes from (this level or
    inherited from which ancestor), and whether the user may edit it or override it here."""
    rows = parameter_values_for_area(area=area, year=year)
    can_override = covers(user, Capability.POLICY_EDIT, area.code) and area.level != AreaLevel.GROUP
    overview = []
    for code, label in ParameterCode.choices:
        row = rows[code]
        overview.append({
            "code": code, "label": label, "definition": PARAMETER_DEFINITIONS[code], "row": row,
            "inherited": row is not None and row.area_id != area.pk,
            "can_edit": row is not None and covers(user, Capability.POLICY_EDIT, row.area.code),
            "can_view_history": row is not None and covers(user, Capability.POLICY_VIEW, row.area.code),
            "can_override": can_override,
        })
    return overview


def parameter_rows(*, user, area):
    """Current rows set at ``area`` or below it, inside the user's scope."""
    return (
        PolicyParameter.objects.visible_to(user, Capability.POLICY_VIEW).current()
        .filter(area__code__startswith=area.scope_prefix)
        .select_related("area", "created_by").order_by("area__code", "code", "year_from")
    )


def parameter_detail(*, user, pk: int, capability=Capability.POLICY_VIEW) -> PolicyParameter:
    row = PolicyParameter.objects.visible_to(user, capability).select_related("area", "created_by").filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def parameter_history(*, parameter: PolicyParameter):
    return PolicyParameter.objects.filter(series=parameter.series).select_related(
        "created_by", "superseded_by", "area"
    ).order_by("-version")


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


def area_prefix(code: str) -> str:
    """An area code's significant prefix (530427000000 → 530427), from the code alone."""
    if len(code) > 12:
        return code
    trimmed = code.rstrip("0")
    for length in (2, 4, 6, 9, 12):
        if len(trimmed) <= length:
            return code[:length]
    return code
