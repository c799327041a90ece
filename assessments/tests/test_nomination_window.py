"""The household exit nomination window (DOMAIN.md §5.1 step 1, ⚠ default 1 Oct–31 Dec): nominations only
inside the window in force for the household's area, refused outside it with the window named; a county
overrides the province's window with its own parameter rows; absence of the parameter is an error."""

import datetime

import pytest
from django.utils import timezone

from assessments.policy.services import policy_parameter_create, policy_parameter_revise
from assessments.tests.workflow_fixtures import YEAR, eligible_households
from assessments.workflows.models import Verification
from assessments.workflows.services import household_exit_nominate, nomination_window
from conftest import COUNTY, PROVINCE
from povalleviation.errors import ApplicationError
from villages.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture
def autumn_window(exit_parameters):
    """The DOMAIN.md default on the province: 10 月 1 日 – 12 月 31 日."""
    policy_parameter_revise(actor=None, parameter=exit_parameters["window_start"], value=1001, reason="默认窗口")
    return exit_parameters


def nominate_on(cadre, household, day, year=YEAR):
    return household_exit_nominate(actor=cadre, household=household, note="达标", year=year, today=day)


def unchanged(household):
    household.refresh_from_db()
    return household.status == "helped" and not Verification.objects.filter(household=household).exists()


def test_outside_the_window_the_nomination_is_refused_naming_the_window(village_cadre_a, autumn_window):
    early, first_day, last_day = eligible_households(village_cadre_a, 3)
    with pytest.raises(ApplicationError) as refused:
        nominate_on(village_cadre_a, early, datetime.date(YEAR, 9, 30))
    assert refused.value.code == "outside_nomination_window"
    assert f"{YEAR} 年 10 月 1 日至 {YEAR} 年 12 月 31 日" in refused.value.message
    assert "云南省设定" in refused.value.message and f"今天是 {YEAR} 年 9 月 30 日" in refused.value.message
    assert unchanged(early)
    # The boundary days are inside (以内 includes both ends).
    assert nominate_on(village_cadre_a, first_day, datetime.date(YEAR, 10, 1)).current_step == "village_review"
    assert nominate_on(village_cadre_a, last_day, datetime.date(YEAR, 12, 31)).current_step == "village_review"
    # The next year's first day is outside this year's window.
    with pytest.raises(ApplicationError, match="不在退出提名时间内"):
        nominate_on(village_cadre_a, early, datetime.date(YEAR + 1, 1, 1))


def test_a_county_overrides_the_window_for_its_area(village_cadre_a, autumn_window):
    september, december = eligible_households(village_cadre_a, 2)
    county = Area.objects.get(code=COUNTY)
    for code, value in (("exit_nomination_window_start", 901), ("exit_nomination_window_end", 1130)):
        policy_parameter_create(
            actor=None, code=code, area=county, year_from=YEAR, value=value, source_citation="县扶贫办通知",
            reason="本县提前开展退出验收",
        )
    window = nomination_window(area=county, year=YEAR)
    assert (window["start"], window["end"]) == (datetime.date(YEAR, 9, 1), datetime.date(YEAR, 11, 30))
    assert nominate_on(village_cadre_a, september, datetime.date(YEAR, 9, 15)).pk
    with pytest.raises(ApplicationError) as refused:
        nominate_on(village_cadre_a, december, datetime.date(YEAR, 12, 15))
    assert "新平彝族傣族自治县设定" in refused.value.message and "11 月 30 日" in refused.value.message
    assert unchanged(december)
    # The province's own window is untouched for areas without an override.
    province = nomination_window(area=Area.objects.get(code=PROVINCE), year=YEAR)
    assert province["start"] == datetime.date(YEAR, 10, 1)


def test_a_window_may_run_into_the_next_year(village_cadre_a, exit_parameters):
    household, = eligible_households(village_cadre_a, 1)
    policy_parameter_revise(actor=None, parameter=exit_parameters["window_start"], value=1101, reason="跨年")
    policy_parameter_revise(actor=None, parameter=exit_parameters["window_end"], value=131, reason="跨年")
    window = nomination_window(area=Area.objects.get(code=COUNTY), year=YEAR - 1)
    assert (window["start"], window["end"]) == (datetime.date(YEAR - 1, 11, 1), datetime.date(YEAR, 1, 31))
    verification = nominate_on(village_cadre_a, household, datetime.date(YEAR, 1, 15), year=YEAR - 1)
    assert verification.year == YEAR - 1


def test_without_the_parameter_nomination_is_refused(village_cadre_a, exit_parameters):
    from assessments.policy.services import policy_parameter_retire

    household, = eligible_households(village_cadre_a, 1)
    policy_parameter_retire(actor=None, parameter=exit_parameters["window_end"], reason="测试缺少参数")
    with pytest.raises(ApplicationError) as refused:
        nominate_on(village_cadre_a, household, datetime.date(YEAR, 11, 1))
    assert refused.value.code == "parameter_missing" and "提名" in refused.value.message
    assert unchanged(household)


def test_the_window_must_be_a_real_month_and_day(areas):
    for bad in (1345, 230 + 1, 1000.5):
        with pytest.raises(ApplicationError) as refused:
            policy_parameter_create(
                actor=None, code="exit_nomination_window_start", area=Area.objects.get(code=COUNTY),
                year_from=YEAR, value=bad, source_citation="测试", reason="测试",
            )
        assert "四位数月日" in str(refused.value.field_errors)


def test_the_nomination_page_shows_the_window_and_refuses_outside_it(
    client_for, ready_household, village_cadre_a, exit_parameters
):
    today = timezone.localdate()
    url = f"/exits/households/{ready_household.pk}/nominate/"
    page = client_for(village_cadre_a).get(url).content.decode()
    assert 'id="nomination-window"' in page and f"{YEAR} 年 1 月 1 日至 {YEAR} 年 12 月 31 日" in page
    # Shrink the window to one day that is not today.
    closed_day = 701 if (today.month, today.day) != (7, 1) else 702
    policy_parameter_revise(actor=None, parameter=exit_parameters["window_start"], value=closed_day, reason="测试")
    policy_parameter_revise(actor=None, parameter=exit_parameters["window_end"], value=closed_day, reason="测试")
    page = client_for(village_cadre_a).get(url).content.decode()
    assert "今天不在提名时间内" in page
    response = client_for(village_cadre_a).post(url, {"year": YEAR, "note": "务工收入稳定"})
    assert response.status_code == 400 and "不在退出提名时间内" in response.content.decode()
    assert unchanged(ready_household)
