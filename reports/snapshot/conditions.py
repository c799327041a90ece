"""Section 6 两不愁三保障: households and persons failing each criterion on the as-of date, separately for
unexited households (the 建档立卡 stock) and exited households (DOMAIN.md §6.3 row 6, §3.4).

Source: ``households.LivingConditions`` — dated assessments (``assessed_on``), several per year, never
overwritten — so each household's latest assessment dated on or before the as-of day is its state then.
``assessments.EligibilityResult`` is not used: it keeps one row per household and year and is overwritten
by every recompute, so it has no history. Persons are the household's members on the as-of date
(``selectors_asof.members_as_of``). A criterion left blank in the assessment is not counted as failing.
"""
import datetime

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Substr

from households.choices import POOR_STATUSES, UNSAFE_GRADES, HouseholdStatus
from households.models import Household, HouseholdStatusChange, LivingConditions
from households.selectors_asof import members_as_of
from villages.choices import PREFIX_LENGTH

from .common import child_areas

# criterion → (label, failure condition on LivingConditions)
CRITERIA = {
    "food": ("不愁吃", Q(food_secure=False)),
    "clothing": ("不愁穿", Q(clothing_secure=False)),
    "education": ("义务教育有保障（辍学）", Q(compulsory_education_secure=False)),
    "medical": ("基本医疗有保障（未全员参保）", Q(all_members_insured=False)),
    "serious_illness": ("大病保险覆盖", Q(serious_illness_covered=False)),
    "housing": ("住房安全有保障（危房未改造）", Q(housing_grade__in=list(UNSAFE_GRADES), retrofit_completed=False)),
    "water": ("饮水安全有保障", Q(water_safe=False) | Q(water_difficult=True)),
}
GROUPS = {"unexited": list(POOR_STATUSES), "exited": [HouseholdStatus.EXITED]}


def _empty() -> dict:
    return {"households": 0, "persons": 0, "assessed": 0, "not_assessed": 0, "any_failed": 0,
            **{f"{key}_households": 0 for key in CRITERIA}, **{f"{key}_persons": 0 for key in CRITERIA}}


def conditions_section(*, area, end: datetime.date, child_level: str) -> dict:
    length = PREFIX_LENGTH[child_level]
    state = Subquery(HouseholdStatusChange.objects.filter(household_id=OuterRef("pk"), effective_date__lte=end)
                     .order_by("-effective_date", "-id").values("to_status")[:1])
    latest = Subquery(LivingConditions.objects.filter(household_id=OuterRef("pk"), assessed_on__lte=end)
                      .order_by("-assessed_on", "-id").values("id")[:1])
    households = (Household.objects.filter(area_code__startswith=area.scope_prefix).annotate(state=state, latest=latest)
                  .filter(state__in=GROUPS["unexited"] + GROUPS["exited"]))
    info = {row["id"]: row for row in households.annotate(group=Substr("area_code", 1, length)).values("id", "state", "latest", "group")}
    persons = dict(members_as_of(household_ids=households.values("pk"), as_of=end).values("household_id")
                   .annotate(n=Count("id")).order_by().values_list("household_id", "n"))
    failing = (LivingConditions.objects.filter(id__in=[row["latest"] for row in info.values() if row["latest"]])
               .values("id", "household_id").annotate(**{f"fail_{key}": Count("id", filter=condition)
                                                         for key, (_, condition) in CRITERIA.items()}))
    failures = {row["household_id"]: row for row in failing}
    result = {group: {} for group in GROUPS}
    for household_id, row in info.items():
        group = "unexited" if row["state"] in GROUPS["unexited"] else "exited"
        child = row["group"].ljust(12, "0")
        for key in (child, "total"):
            cell = result[group].setdefault(key, _empty())
            n = persons.get(household_id, 0)
            cell["households"] += 1
            cell["persons"] += n
            fail = failures.get(household_id)
            if fail is None:
                cell["not_assessed"] += 1
                continue
            cell["assessed"] += 1
            failed = [name for name in CRITERIA if fail[f"fail_{name}"]]
            cell["any_failed"] += bool(failed)
            for name in failed:
                cell[f"{name}_households"] += 1
                cell[f"{name}_persons"] += n
    children = child_areas(area)
    return {
        "criteria": {key: label for key, (label, _) in CRITERIA.items()},
        **{group: {"total": result[group].get("total", _empty()),
                   "rows": [{**child, **result[group].get(child["code"], _empty())} for child in children]}
           for group in GROUPS},
    }
