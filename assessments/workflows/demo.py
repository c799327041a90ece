"""Demo household exits under way in 太和村 for the demo year (the current one), so that each account's 待办
shows real work on a fresh installation and a full exit can be tried in the browser at once.

The seeds' 脱贫标准 stop at 2020 (4000 元, P-LN-02); for the demo year the demo county carries that line on,
with a citation saying it is demo data (``is_from_seeds`` false), as does the 收入须超过 test. The demo
households not yet exited get this year's income (2018's grown by a third) and a 两不愁三保障 assessment of
this year, copied from 2018's: most meet the standard, some do not (C-grade houses, unsafe water, a missing
school record), as in 2018.

Four households of 太和村 are then taken through the real services by the demo accounts, backdated so that
their 公示 has run its days: one waits for 乡级初核 (township_laochang), one for 县级审定 (county_xinping),
one for the 公告 (office_xinping), and one is in its 公示 with an objection to resolve (cadre_taihe). Only
when the nomination dates fall inside this year's nomination window (from 1 October, DOMAIN.md §5.1);
loading twice changes nothing.
"""
import contextlib
import datetime
from decimal import Decimal
from unittest import mock

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from assessments.eligibility.services import eligibility_evaluate_household
from assessments.policy.models import ParameterCode, PolicyParameter
from assessments.policy.services import policy_parameter_create
from assessments.workflows.models import ObjectionChannel, Verification
from assessments.workflows.services import (
    household_exit_nominate,
    objection_lodge,
    publicity_close,
    publicity_open,
    verification_approve,
)
from assessments.workflows.services.deadlines import nomination_window
from households.choices import HouseholdStatus
from households.models import Household, IncomeRecord, LivingConditions
from households.services import income_record_save, living_conditions_record
from villages.demo import VILLAGE_A_CODE
from villages.models import Area

COUNTY_CODE = "530427000000"
DEMO_CITATION = "演示数据：种子文件的脱贫标准止于 2020 年（4000 元），演示年度沿用此数，非政策文件数字"
INCOME_FIELDS = ("wage_income", "production_income", "production_expense", "property_income", "transfer_income")
CONDITION_FIELDS = ("food_secure", "clothing_secure", "compulsory_education_secure", "all_members_insured",
                    "serious_illness_covered", "housing_grade", "retrofit_completed", "water_safe", "water_difficult")
MEETING = {"participants": "村两委 5 人，驻村工作队 2 人，村民代表 12 人", "attendance": 19, "votes_for": 18,
           "votes_against": 1, "minutes": "逐户评议收入与两不愁三保障情况，同意提名。"}
# (days before today of the nomination, the step the household then waits at, whether an objection is open)
PLAN = ((30, "announce", False), (24, "county_approve", False), (18, "township_check", False),
        (3, "village_publicity", True))


def _demo_year_parameters(county: Area, year: int):
    for code, value in ((ParameterCode.INCOME_LINE, 4000), (ParameterCode.HOUSEHOLD_INCOME_TEST, None)):
        covered = PolicyParameter.objects.filter(code=code, area__code__in=["530000000000", COUNTY_CODE], is_current=True,
                                                 year_from__lte=year).exclude(year_to__lt=year)
        if not covered.exists():
            policy_parameter_create(actor=None, code=code, area=county, year_from=2021, value=value,
                                    source_citation=DEMO_CITATION, reason="演示年度沿用 2020 年标准")


def _this_years_data(year: int):
    households = Household.objects.filter(is_demo=True).exclude(status__in=[HouseholdStatus.EXITED, HouseholdStatus.REMOVED])
    incomes = {r.household_id: r for r in IncomeRecord.objects.filter(household__in=households, year=2018)}
    conditions = {c.household_id: c for c in LivingConditions.objects.filter(household__in=households, year=2018)}
    for household in households.exclude(income_records__year=year):
        income = incomes.get(household.pk)
        if income is not None:
            income_record_save(actor=None, household=household, year=year, data={
                field: (getattr(income, field) * Decimal("1.33")).quantize(Decimal("1")) for field in INCOME_FIELDS})
        assessed = conditions.get(household.pk)
        if assessed is not None:
            living_conditions_record(actor=None, household=household, year=year, assessed_on=datetime.date(year, 1, 20),
                                     data={field: getattr(assessed, field) for field in CONDITION_FIELDS})


@contextlib.contextmanager
def _on(day: datetime.date):
    """Act as on ``day`` (10:00 local time): the services stamp their records with that day, as if the demo
    accounts had taken each step then."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _take(verification, up_to: str, *, people, nominated: datetime.date, objection: bool):
    """Take one household exit from its nomination up to (not through) ``up_to``: the 评议 the next day, the
    公示 from the day after for its days, each later step three days after the one before."""
    def fresh():
        verification.refresh_from_db()
        return verification

    day = nominated + datetime.timedelta(days=1)
    with _on(day):
        verification_approve(actor=people["secretary"], verification=fresh(), version=verification.version,
                             step_code="village_review", details={**MEETING, "meeting_date": day.isoformat()})
    with _on(day + datetime.timedelta(days=1)):
        publicity = publicity_open(actor=people["cadre"], verification=fresh(), version=verification.version,
                                   location="太和村村务公开栏")
        if objection:
            objection_lodge(actor=people["cadre"], verification=fresh(), channel=ObjectionChannel.ON_SITE,
                            complainant="本组村民",
                            content="反映该户家中有人长期患病，医疗支出较大，收入是否稳定超过标准请再核实。")
            return
    day = publicity.end_date
    with _on(day):
        publicity_close(actor=people["cadre"], verification=fresh(), version=verification.version)
    for code in ("township_check", "county_approve"):
        if code == up_to:
            return
        day += datetime.timedelta(days=3)
        with _on(day):
            verification_approve(actor=people[code.split("_")[0]], verification=fresh(), version=verification.version,
                                 step_code=code, note="同意。")


@transaction.atomic
def load_demo_exits(today: datetime.date | None = None) -> int:
    """Returns how many demo household exits were started."""
    today = today or timezone.localdate()
    year = today.year
    county = Area.objects.get(code=COUNTY_CODE)
    _demo_year_parameters(county, year)
    _this_years_data(year)
    if Verification.objects.filter(household__is_demo=True, year=year).exists():
        return 0
    window = nomination_window(area=county, year=year)
    if today - datetime.timedelta(days=max(days for days, _, _ in PLAN)) < window["start"] or today > window["end"]:
        return 0
    people = {key: User.objects.get(username=name) for key, name in (
        ("cadre", "cadre_taihe"), ("secretary", "secretary_taihe"), ("township", "township_laochang"),
        ("county", "county_xinping"))}
    candidates = Household.objects.filter(is_demo=True, village__code=VILLAGE_A_CODE, status=HouseholdStatus.HELPED)
    started = 0
    for household in candidates.order_by("household_number"):
        if started == len(PLAN):
            break
        result = eligibility_evaluate_household(household=household, year=year)
        if result is None or result.passed is not True:
            continue
        days, up_to, objection = PLAN[started]
        nominated = today - datetime.timedelta(days=days)
        with _on(nominated):
            verification = household_exit_nominate(actor=people["cadre"], household=household, year=year,
                                                    note="务工与种植收入稳定，两不愁三保障达标。")
        _take(verification, up_to, people=people, nominated=nominated, objection=objection)
        started += 1
    return started
