"""Fixtures and step helpers shared by the workflow tests: the fixtures reach every test as a pytest plugin of
the root conftest; the helpers and constants are imported by name.

Data is built through the services: parameters through ``policy_parameter_create``, income and
两不愁三保障 through the household services, every workflow step through its transition service.
"""

import contextlib
import datetime
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.policy.services import policy_parameter_create
from assessments.workflows.services import (
    household_exit_nominate,
    publicity_close,
    publicity_open,
    verification_approve,
)
from conftest import COUNTY, FIXED_TODAY, GROUP_A1, PROVINCE, _persona
from households.services import household_set_status, income_record_save, living_conditions_record
from households.tests.factories import member_data, register_household
from povalleviation.roles import Role
from villages.models import Area

YEAR = FIXED_TODAY.year
MEETING = {
    "meeting_date": "2026-01-10",
    "participants": "村两委 5 人，驻村工作队 2 人，村民代表 12 人",
    "attendance": 19,
    "votes_for": 18,
    "votes_against": 1,
    "minutes": "逐户评议，同意提名。",
}


def set_parameter(code, value=None, *, area_code=COUNTY, **extra):
    return policy_parameter_create(
        actor=None,
        code=code,
        area=Area.objects.get(code=area_code),
        year_from=2013,
        value=value,
        source_citation="测试数据",
        reason="测试",
        **extra,
    )


@pytest.fixture
def exit_parameters(areas):
    """The county's rule rows: 脱贫标准 4000 元 (收入须超过), 义务教育 6–15 岁, 公示 7 天, step time limits
    (村 5, 乡 15, 县 15, 市 30, 省 30 天) and a nomination window over the whole year (so that tests run on any
    date; the window tests set their own)."""
    return {
        "line": set_parameter("income_line", 4000),
        "test": set_parameter("household_income_test"),
        "age_min": set_parameter("compulsory_education_age_min", 6),
        "age_max": set_parameter("compulsory_education_age_max", 15),
        "publicity": set_parameter("publicity_days_min", 7),
        "window_start": set_parameter("exit_nomination_window_start", 101, area_code=PROVINCE),
        "window_end": set_parameter("exit_nomination_window_end", 1231, area_code=PROVINCE),
        **{
            f"days_{level}": set_parameter(f"step_days_{level}", days, area_code=PROVINCE)
            for level, days in (("village", 5), ("township", 15), ("county", 15), ("city", 30), ("province", 30))
        },
    }


@pytest.fixture
def province_officer(areas):
    return _persona("province", Role.PROVINCE_OFFICER, PROVINCE)


def make_eligible(actor, household, *, year=YEAR, wage="12000"):
    income_record_save(actor=actor, household=household, year=year, data={"wage_income": wage})
    living_conditions_record(
        actor=actor,
        household=household,
        year=year,
        assessed_on=datetime.date(year, 1, 5),
        data={
            "food_secure": True,
            "clothing_secure": True,
            "compulsory_education_secure": True,
            "all_members_insured": True,
            "serious_illness_covered": True,
            "housing_grade": "A",
            "water_safe": True,
            "water_difficult": False,
        },
    )
    return household


def helped(actor, household):
    household_set_status(actor=actor, household=household, to_status="helped", reason="结对帮扶")
    household.refresh_from_db()
    return household


@pytest.fixture
def ready_household(village_cadre_a, exit_parameters):
    """太和村 上寨组: 帮扶中, income 12000 元 for 2 people (6000 > 4000), every 两不愁三保障 fact secure."""
    household = register_household(
        actor=village_cadre_a,
        area=Area.objects.get(code=GROUP_A1),
        sequence=101,
        head_name="李大",
        members=[member_data(101, name="李大"), member_data(102, name="王秀", relation="10", odd=False)],
    )
    make_eligible(village_cadre_a, household)
    return helped(village_cadre_a, household)


def fresh(verification):
    verification.refresh_from_db()
    return verification


def nominate(cadre, household, **extra):
    return household_exit_nominate(
        actor=cadre, household=household, note="务工收入稳定，两不愁三保障达标", **extra
    )


def review(reviewer, verification):
    return verification_approve(
        actor=reviewer,
        verification=fresh(verification),
        version=verification.version,
        step_code="village_review",
        details=MEETING,
    )


def open_publicity(actor, verification, *, location="公开栏", **extra):
    return publicity_open(
        actor=actor, verification=fresh(verification), version=verification.version, location=location, **extra
    )


def publicize(cadre, verification, *, closer=None):
    """Open the 公示 and close it on its end date."""
    publicity = open_publicity(cadre, verification, location="太和村村务公开栏")
    publicity_close(
        actor=closer or cadre,
        verification=fresh(verification),
        version=verification.version,
        today=publicity.end_date,
    )
    return publicity


def approve(actor, verification, step_code=None, **extra):
    return verification_approve(
        actor=actor,
        verification=fresh(verification),
        version=verification.version,
        step_code=step_code,
        note="同意",
        **extra,
    )


STEPS = ["village_review", "village_publicity", "township_check", "county_approve", "announce", "completed"]


def to_step(verification, step_code, *, cadre, secretary, township=None, county=None, office=None):
    """Drive a household exit from where it waits up to (not through) ``step_code``; up to ``"completed"`` the
    office also takes the 公告."""
    current = fresh(verification).current_step
    for code in STEPS[STEPS.index(current) : STEPS.index(step_code)]:
        if code == "village_review":
            review(secretary, verification)
        elif code == "village_publicity":
            publicize(cadre, verification)
        elif code == "township_check":
            approve(township, verification, code)
        elif code == "county_approve":
            approve(county, verification, code)
        elif code == "announce":
            approve(office, verification, code)
    return fresh(verification)


@pytest.fixture
def people(village_cadre_a, first_secretary_a, township_officer, county_officer, leading_group_staff):
    return {
        "cadre": village_cadre_a,
        "secretary": first_secretary_a,
        "township": township_officer,
        "county": county_officer,
        "office": leading_group_staff,
    }


@pytest.fixture
def exit_at(request, ready_household, village_cadre_a, first_secretary_a):
    """``exit_at(step_code)``: 李大 (``ready_household``) nominated by 太和村's cadre and driven up to (not through)
    ``step_code`` by the 太和村, 老厂乡 and 新平县 personas (each officer asked for only when a step needs them);
    ``exit_at("completed")`` also takes the 公告, so the household has exited."""

    def drive(step_code):
        passed = STEPS[: STEPS.index(step_code)]
        officers = {
            step: request.getfixturevalue(name)
            for step, name in (
                ("township_check", "township_officer"),
                ("county_approve", "county_officer"),
                ("announce", "leading_group_staff"),
            )
            if step in passed
        }
        return to_step(
            nominate(village_cadre_a, ready_household),
            step_code,
            cadre=village_cadre_a,
            secretary=first_secretary_a,
            township=officers.get("township_check"),
            county=officers.get("county_approve"),
            office=officers.get("announce"),
        )

    return drive


def eligible_households(cadre, count, *, start=500, village_code=None):
    """``count`` households of the cadre's village (or ``village_code``), 帮扶中 and meeting every gate."""
    from conftest import VILLAGE_A

    village = Area.objects.get(code=village_code or VILLAGE_A)
    made = []
    for index in range(count):
        household = register_household(
            actor=cadre,
            area=village,
            sequence=start + index,
            head_name=f"户主{start + index}",
            members=[member_data(start + index, name=f"户主{start + index}")],
        )
        # Eligible last year too, so that a nomination made "days ago" in early January still qualifies.
        make_eligible(cadre, household, year=YEAR - 1)
        made.append(helped(cadre, make_eligible(cadre, household)))
    return made


def read_before_and_after_nominations(read, cadre, *, added, start=320):
    """``read()`` (a page or API request, warmed up once) before and after the cadre nominates ``added`` more
    households: each response with the number of queries it took."""
    read()
    with CaptureQueriesContext(connection) as few:
        before = read()
    for household in eligible_households(cadre, added, start=start):
        nominate(cadre, household)
    with CaptureQueriesContext(connection) as more:
        after = read()
    return (before, len(few)), (after, len(more))


@contextlib.contextmanager
def days_ago(days):
    """Run the block as if it were ``days`` days ago (what the services record as "now" and "today")."""
    moment = timezone.now() - datetime.timedelta(days=days)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield moment
