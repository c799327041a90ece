"""Personas shared by every test: two village cadres in two villages of one township, a township officer,
a county officer, leading-group staff, an auditor and a system administrator, all in the demo county.

Data is built by calling services, as the app itself does.
"""
import datetime
import time

import pytest
from django.utils import timezone

from accounts.services import post_assign, user_create
from povalleviation.roles import Role
from villages.models import Area
from villages.services import area_create

# Fixtures shared across apps. pytest takes pytest_plugins only in this top-level conftest; it makes them
# available to every test: the exit-workflow fixtures (exit_parameters, province_officer, ready_household), the
# households 李大 and 刀二 (household_a, household_b), the project of 太和村 (village_a, draft_project,
# approved_project), the neighbouring county (other_county, other_county_cadre, staff_cadre), and the upload
# fixtures of the import tests (media_root, eager_tasks).
pytest_plugins = [
    "assessments.tests.workflow_fixtures",
    "households.tests.fixtures",
    "households.tests.import_files",
    "projects.tests.fixtures",
    "tests.fixtures",
]

PASSWORD = "Test-password-2026"

PROVINCE = "530000000000"
CITY = "530400000000"
COUNTY = "530427000000"
TOWNSHIP = "530427204000"
VILLAGE_A = "530427204202"
VILLAGE_B = "530427204209"
GROUP_A1 = "530427204202001"
OTHER_TOWNSHIP = "530427104000"
OTHER_VILLAGE = "530427104201"


@pytest.fixture(scope="session", autouse=True)
def _flush_passes_audit_triggers():
    """The test runner's flush may empty the append-only tables (see accounts/tests/audit_support.py)."""
    from accounts.tests.audit_support import let_test_flush_pass_truncate_triggers

    let_test_flush_pass_truncate_triggers()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters (login per address, API per user) live in the cache; each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield


FIXED_TODAY = datetime.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def today(request, monkeypatch):
    """Every test runs on ``FIXED_TODAY`` (a Monday in December: the year's first three quarters are over), so no
    expectation reads the real calendar. ``timezone.now()`` starts at 10:00 local time that day and runs on with the
    real clock, so ``timezone.localdate()``, ``auto_now`` and every service that reads the clock agree with the test
    whatever the calendar day or hour (the local date in 北京时间 is not the UTC date after 16:00 UTC). Being
    autouse, it is in place before any fixture writes data. Tests that talk to a separate worker process (marked
    ``celery_worker``, which this patch cannot reach) or are marked ``real_clock`` keep the real clock; a test that
    needs another moment patches ``timezone.now`` itself."""
    if request.node.get_closest_marker("real_clock") or request.node.get_closest_marker("celery_worker"):
        return timezone.localdate()
    started = time.monotonic()
    start = datetime.datetime.combine(FIXED_TODAY, datetime.time(10), tzinfo=timezone.get_default_timezone())

    def now():
        return (start + datetime.timedelta(seconds=time.monotonic() - started)).astimezone(datetime.UTC)

    monkeypatch.setattr(timezone, "now", now)
    # django-axes binds ``now`` at import (attempt times, cool-off threshold); the lockout must read the same clock.
    monkeypatch.setattr("axes.handlers.proxy.now", now)
    monkeypatch.setattr("axes.attempts.now", now)
    return FIXED_TODAY


@pytest.fixture
def areas(db):
    """A small tree: 云南省 › 玉溪市 › 新平县 › 老厂乡 (太和村, 勐炳村) and 水塘镇 (one village)."""
    made = {}
    for code, name, level in [
        (PROVINCE, "云南省", "province"),
        (CITY, "玉溪市", "city"),
        (COUNTY, "新平彝族傣族自治县", "county"),
        (TOWNSHIP, "老厂乡", "township"),
        (VILLAGE_A, "太和村委会", "village"),
        (VILLAGE_B, "勐炳村委会", "village"),
        (GROUP_A1, "上寨村民小组", "group"),
        (OTHER_TOWNSHIP, "水塘镇", "township"),
        (OTHER_VILLAGE, "大口村委会", "village"),
    ]:
        made[code] = area_create(actor=None, code=code, name=name, level=level)
    return made


def _persona(username, role, area_code, *, is_staff=False):
    user = user_create(actor=None, username=username, password=PASSWORD, full_name=username, is_staff=is_staff)
    post_assign(actor=None, user=user, area=Area.objects.get(code=area_code), role=role)
    return user


@pytest.fixture
def village_cadre_a(areas):
    return _persona("cadre_a", Role.VILLAGE_CADRE, VILLAGE_A)


@pytest.fixture
def village_cadre_b(areas):
    return _persona("cadre_b", Role.VILLAGE_CADRE, VILLAGE_B)


@pytest.fixture
def first_secretary_a(areas):
    return _persona("secretary_a", Role.FIRST_SECRETARY, VILLAGE_A)


@pytest.fixture
def township_officer(areas):
    return _persona("township", Role.TOWNSHIP_OFFICER, TOWNSHIP)


@pytest.fixture
def other_township_officer(areas):
    return _persona("township_other", Role.TOWNSHIP_OFFICER, OTHER_TOWNSHIP)


@pytest.fixture
def county_officer(areas):
    return _persona("county", Role.COUNTY_OFFICER, COUNTY)


@pytest.fixture
def county_approver(areas):
    """A second county officer: 立项批复 must not be taken by whoever admitted the project."""
    return _persona("county_approver", Role.COUNTY_OFFICER, COUNTY)


@pytest.fixture
def city_officer(areas):
    return _persona("city", Role.CITY_OFFICER, CITY)


@pytest.fixture
def leading_group_staff(areas):
    return _persona("office", Role.LEADING_GROUP_OFFICE, COUNTY)


@pytest.fixture
def auditor(areas):
    return _persona("auditor", Role.AUDITOR, COUNTY)


@pytest.fixture
def township_auditor(areas):
    return _persona("auditor_township", Role.AUDITOR, OTHER_TOWNSHIP)


@pytest.fixture
def system_admin(areas):
    return _persona("sysadmin", Role.SYSTEM_ADMIN, COUNTY, is_staff=True)


@pytest.fixture
def user_without_post(db):
    return user_create(actor=None, username="nopost", password=PASSWORD)


@pytest.fixture
def personas(village_cadre_a, village_cadre_b, township_officer, county_officer, leading_group_staff, auditor, system_admin):
    return {
        "village_cadre_a": village_cadre_a,
        "village_cadre_b": village_cadre_b,
        "township_officer": township_officer,
        "county_officer": county_officer,
        "leading_group_staff": leading_group_staff,
        "auditor": auditor,
        "system_admin": system_admin,
    }


@pytest.fixture
def client_for(client):
    """``client_for(user)`` → a Django test client logged in as that user."""
    from django.test import Client

    from tests.otp_support import mark_verified

    def make(user):
        logged_in = Client()
        logged_in.force_login(user)
        mark_verified(logged_in, user)  # county level and above / administrators: second factor passed
        return logged_in

    return make


@pytest.fixture
def api_for():
    """``api_for(user)`` → a DRF APIClient authenticated as that user (None → anonymous)."""
    from rest_framework.test import APIClient

    def make(user=None):
        api = APIClient()
        if user is not None:
            api.force_authenticate(user)
        return api

    return make
