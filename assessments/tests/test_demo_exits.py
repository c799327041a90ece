"""Demo exits under way: on a fresh installation each account's 待办 holds a household exit of 太和村 at its
step, taken there through the real services by the demo accounts on earlier days; the demo year's 脱贫标准
is marked as demo data; loading twice changes nothing."""
import datetime

import pytest
from django.test import Client

from accounts.demo import load_demo_users
from accounts.models import User
from assessments.policy.models import PolicyParameter
from assessments.policy.services import policy_parameters_load
from assessments.workflows.demo import DEMO_CITATION, load_demo_exits
from assessments.workflows.models import Verification
from households.demo import load_demo_households
from tests.otp_support import mark_verified
from villages.demo import VILLAGE_A_CODE, load_demo_areas

TODAY = datetime.date(2026, 11, 23)


@pytest.mark.django_db
def test_each_role_finds_a_demo_exit_waiting_for_it(settings):
    load_demo_areas()
    load_demo_users()
    load_demo_households()
    policy_parameters_load()
    assert load_demo_exits(today=TODAY) == 4
    assert load_demo_exits(today=TODAY) == 0

    line = PolicyParameter.objects.get(code="income_line", year_from=2021, is_current=True)
    assert (line.value, line.is_from_seeds, line.source_citation) == (4000, False, DEMO_CITATION)
    verifications = Verification.objects.filter(year=2026).order_by("pk")
    assert [v.current_step for v in verifications] == ["announce", "county_approve", "township_check",
                                                       "village_publicity"]
    assert {v.household.village.code for v in verifications} == {VILLAGE_A_CODE}
    assert {v.household.status for v in verifications} == {"exit_pending"}
    # Dated as taken: nominated 30 days before, the 公示 ran its 7 days before the township's check.
    first = verifications[0]
    events = list(first.events.order_by("pk").values_list("action", "actor__username", "at"))
    assert [(action, user) for action, user, _ in events] == [
        ("start", "cadre_taihe"), ("approve", "secretary_taihe"), ("publicity_open", "cadre_taihe"),
        ("publicity_close", "cadre_taihe"), ("approve", "township_laochang"), ("approve", "county_xinping")]
    assert events[0][2].date() == TODAY - datetime.timedelta(days=30)
    publicity = first.publicities.get()
    assert (publicity.end_date - publicity.start_date).days == 7 and publicity.closed_at is not None
    assert verifications[3].publicities.get().objections.filter(resolved_at__isnull=True).count() == 1

    for username, step in (("township_laochang", "乡级初核"), ("county_xinping", "县级审定"),
                           ("office_xinping", "公告"), ("cadre_taihe", "异议")):
        client = Client()
        user = User.objects.get(username=username)
        client.force_login(user)
        mark_verified(client, user)  # the demo county accounts come with an authenticator
        page = client.get("/exits/inbox/").content.decode()
        assert step in page, username
