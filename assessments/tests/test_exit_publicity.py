"""公示 and 异议: the configured duration, no early close, objections block closing, upheld objections send
the household back to the village review, the content names no full ID number, the system closes due ones."""

import datetime

import pytest
from django.utils import timezone

from assessments.policy.services import policy_parameter_revise
from assessments.tests.workflow_fixtures import fresh, nominate, open_publicity, review
from assessments.workflows.models import Objection, Publicity
from assessments.workflows.services import (
    close_due_publicities,
    objection_lodge,
    objection_resolve,
    publicity_close,
)
from households.tests.factories import make_id_number
from povalleviation.errors import ApplicationError, Conflict, NotFound, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def publicizing(ready_household, village_cadre_a, first_secretary_a):
    """A nomination reviewed by the village and posted today for 7 days."""
    verification = nominate(village_cadre_a, ready_household)
    review(first_secretary_a, verification)
    publicity = open_publicity(village_cadre_a, verification, location="太和村村务公开栏")
    return fresh(verification), publicity


def close(actor, verification, *, today):
    return publicity_close(
        actor=actor, verification=fresh(verification), version=verification.version, today=today
    )


def test_publicity_lasts_the_configured_days_and_cannot_close_early(publicizing, village_cadre_a):
    verification, publicity = publicizing
    today = timezone.localdate()
    assert (publicity.start_date, publicity.end_date, publicity.days) == (
        today,
        today + datetime.timedelta(days=7),
        7,
    )
    for early in (today, today + datetime.timedelta(days=6)):
        with pytest.raises(ApplicationError) as refused:
            close(village_cadre_a, verification, today=early)
        assert refused.value.code == "publicity_running" and str(publicity.end_date) in refused.value.message
    assert fresh(verification).current_step == "village_publicity"
    close(village_cadre_a, verification, today=publicity.end_date)
    publicity.refresh_from_db()
    assert publicity.status == "closed" and publicity.result == "no_objection"
    assert fresh(verification).current_step == "township_check"


def test_publicity_content_names_no_full_id_number(publicizing):
    verification, publicity = publicizing
    text = str(publicity.content)
    assert publicity.content["head_name"] == "李大" and publicity.content["household_size"] == 2
    assert publicity.content["reason"] == "务工收入稳定，两不愁三保障达标"
    for sequence, odd in ((101, True), (102, False)):
        number = make_id_number(sequence, odd=odd)
        assert number not in text and number[-4:] not in text


def test_the_duration_comes_from_the_parameter_and_its_absence_is_an_error(
    ready_household, village_cadre_a, first_secretary_a, exit_parameters
):
    verification = nominate(village_cadre_a, ready_household)
    review(first_secretary_a, verification)
    policy_parameter_revise(
        actor=None, parameter=exit_parameters["publicity"], value=3, reason="县里改为 3 天"
    )
    publicity = open_publicity(village_cadre_a, verification)
    assert publicity.days == 3
    Publicity.objects.filter(pk=publicity.pk).delete()

    from assessments.policy.services import policy_parameter_retire

    policy_parameter_retire(
        actor=None,
        parameter=exit_parameters["publicity"].__class__.objects.get(
            code="publicity_days_min", is_current=True
        ),
        reason="测试缺参数",
    )
    with pytest.raises(ApplicationError) as refused:
        open_publicity(village_cadre_a, verification)
    assert refused.value.message.startswith("未设置公示天数参数")


def test_publicity_start_cannot_be_future_or_before_the_step(
    ready_household, village_cadre_a, first_secretary_a
):
    verification = nominate(village_cadre_a, ready_household)
    review(first_secretary_a, verification)
    today = timezone.localdate()
    for start in (today + datetime.timedelta(days=1), today - datetime.timedelta(days=3)):
        with pytest.raises(ApplicationError) as refused:
            open_publicity(village_cadre_a, verification, start_date=start)
        assert "start_date" in refused.value.field_errors
    assert not Publicity.objects.exists()


def test_an_open_objection_blocks_closing_until_dismissed(
    publicizing, village_cadre_a, township_officer, county_officer
):
    verification, publicity = publicizing
    shown = verification.version
    objection = objection_lodge(
        actor=county_officer,
        verification=verification,
        channel="hotline_12317",
        content="该户儿子在县城有商品房",
        complainant="",
    )
    assert fresh(verification).version == shown + 1
    with pytest.raises(ApplicationError) as refused:
        close(village_cadre_a, verification, today=publicity.end_date)
    assert refused.value.code == "objections_open" and fresh(verification).current_step == "village_publicity"
    with pytest.raises(ApplicationError):
        objection_resolve(actor=township_officer, objection=objection, upheld=False, resolution=" ")
    objection_resolve(
        actor=township_officer,
        objection=objection,
        upheld=False,
        resolution="经核实，商品房登记在已分户的儿子名下，与本户无关",
    )
    with pytest.raises(Conflict):
        objection_resolve(actor=township_officer, objection=objection, upheld=True, resolution="再次处理")
    close(village_cadre_a, verification, today=publicity.end_date)
    verification = fresh(verification)
    assert verification.current_step == "township_check"
    assert verification.events.get(action="publicity_close").details["objections"] == 1


def test_an_upheld_objection_sends_the_household_back_to_the_village_review(
    publicizing, village_cadre_a, first_secretary_a, township_officer
):
    verification, publicity = publicizing
    first = objection_lodge(
        actor=village_cadre_a,
        verification=verification,
        channel="on_site",
        content="家中有轿车一辆",
        complainant="村民张某",
    )
    second = objection_lodge(
        actor=village_cadre_a, verification=verification, channel="petition", content="收入不实"
    )
    objection_resolve(
        actor=township_officer, objection=first, upheld=True, resolution="经核实确有车辆，退回重新评议"
    )
    verification = fresh(verification)
    publicity.refresh_from_db()
    second.refresh_from_db()
    assert verification.current_step == "village_review" and verification.status == "in_progress"
    assert (publicity.status, publicity.result) == ("closed", "objection_upheld")
    assert second.status == "upheld" and "随同退回" in second.resolution
    verification.household.refresh_from_db()
    assert verification.household.status == "exit_pending"
    # The village reviews again and posts a new 公示.
    review(first_secretary_a, verification)
    assert fresh(verification).current_step == "village_publicity"


def test_who_may_record_and_resolve_objections(publicizing, auditor, village_cadre_b, first_secretary_a):
    verification, publicity = publicizing
    with pytest.raises(PermissionDenied):
        objection_lodge(actor=auditor, verification=verification, channel="media", content="媒体反映")
    with pytest.raises(NotFound):
        objection_lodge(actor=village_cadre_b, verification=verification, channel="media", content="媒体反映")
    with pytest.raises(ApplicationError):
        objection_lodge(actor=first_secretary_a, verification=verification, channel="no_such", content="内容")
    objection = objection_lodge(
        actor=first_secretary_a, verification=verification, channel="media", content="媒体反映"
    )
    with pytest.raises(PermissionDenied):
        objection_resolve(actor=first_secretary_a, objection=objection, upheld=False, resolution="不成立")
    assert Objection.objects.get().status == "open" and Objection.objects.count() == 1


def test_no_objection_outside_a_running_publicity(ready_household, village_cadre_a):
    verification = nominate(village_cadre_a, ready_household)
    with pytest.raises(ApplicationError) as refused:
        objection_lodge(actor=village_cadre_a, verification=verification, channel="on_site", content="异议")
    assert refused.value.code == "no_publicity"


def test_only_the_village_opens_the_village_publicity(
    ready_household, village_cadre_a, first_secretary_a, township_officer
):
    verification = nominate(village_cadre_a, ready_household)
    review(first_secretary_a, verification)
    with pytest.raises(PermissionDenied):
        open_publicity(township_officer, verification, location="乡政府公告栏")
    with pytest.raises(ApplicationError) as refused:
        publicity_close(actor=village_cadre_a, verification=fresh(verification), version=verification.version)
    assert refused.value.code == "no_publicity"


def test_the_system_closes_due_publicities_without_open_objections(
    publicizing, ready_household, village_cadre_a
):
    verification, publicity = publicizing
    assert close_due_publicities(today=publicity.end_date - datetime.timedelta(days=1))["closed"] == 0
    objection = objection_lodge(
        actor=village_cadre_a, verification=verification, channel="on_site", content="待核实"
    )
    assert close_due_publicities(today=publicity.end_date)["closed"] == 0
    assert fresh(verification).current_step == "village_publicity"
    Objection.objects.filter(pk=objection.pk).update(status="dismissed", resolution="不成立")
    result = close_due_publicities(today=publicity.end_date)
    assert result == {"closed": 1, "refused": []}
    verification = fresh(verification)
    event = verification.events.get(action="publicity_close")
    assert event.actor is None and event.details["closed_by_system"] is True
    assert verification.current_step == "township_check"
