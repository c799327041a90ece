"""Household exit services: every transition by the right role; the wrong role, the wrong area, a skipped
step, self-approval and a stale version refused with nothing changed; return, reject and withdraw; the
snapshot a decision was taken on survives later edits."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from accounts.services import post_assign, user_create
from assessments.tests.workflow_fixtures import (
    MEETING,
    YEAR,
    approve,
    fresh,
    helped,
    make_eligible,
    nominate,
    open_publicity,
    publicize,
    review,
    to_step,
)
from assessments.workflows.models import Verification, VerificationEvent, VerificationStatus
from assessments.workflows.services import (
    approval_chain_set,
    household_exit_nominate,
    verification_approve,
    verification_reject,
    verification_return,
    verification_withdraw,
)
from assessments.workflows.services.common import sha256_of
from conftest import COUNTY, PASSWORD, TOWNSHIP, VILLAGE_B
from households.models import HouseholdStatusChange, IncomeRecord
from households.services import household_set_status, income_record_save
from households.tests.factories import register_household
from povalleviation.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from povalleviation.roles import Role
from villages.models import Area

pytestmark = pytest.mark.django_db


def state(verification):
    """What a refused action must leave untouched."""
    verification = fresh(verification)
    return (
        verification.status,
        verification.position,
        verification.version,
        verification.events.count(),
        verification.household.status,
    )


def decide_with_a_note(service, actor, verification, note):
    """A return or a reject: refused with a blank note (nothing changed), then taken with ``note``."""
    before = state(verification)
    for blank in ("", " "):
        with pytest.raises(ApplicationError):
            service(actor=actor, verification=verification, version=verification.version, note=blank)
    assert state(verification) == before
    service(actor=actor, verification=verification, version=verification.version, note=note)
    return fresh(verification)


def test_household_goes_from_nomination_to_exited_through_each_role(ready_household, people):
    verification = nominate(people["cadre"], ready_household)
    ready_household.refresh_from_db()
    assert ready_household.status == "exit_pending" and verification.current_step == "village_review"
    review(people["secretary"], verification)
    publicity = publicize(people["cadre"], verification)
    assert publicity.days == 7 and publicity.end_date == publicity.start_date + datetime.timedelta(days=7)
    approve(people["township"], verification, "township_check")
    approve(people["county"], verification, "county_approve")
    assert fresh(verification).current_step == "announce"
    announced_on = timezone.localdate()
    approve(people["office"], verification, "announce")

    verification = fresh(verification)
    ready_household.refresh_from_db()
    assert verification.status == VerificationStatus.COMPLETED and verification.decided_on == announced_on
    assert ready_household.status == "exited" and ready_household.exit_date == announced_on
    assert ready_household.monitoring_flag == "exited_monitored"
    changes = list(
        HouseholdStatusChange.objects.filter(
            household=ready_household, workflow="household_exit"
        ).values_list("from_status", "to_status", "effective_date")
    )
    assert changes == [("helped", "exit_pending", announced_on), ("exit_pending", "exited", announced_on)]
    actions = list(verification.events.values_list("action", "actor__username"))
    assert actions == [
        ("start", "cadre_a"),
        ("approve", "secretary_a"),
        ("publicity_open", "cadre_a"),
        ("publicity_close", "cadre_a"),
        ("approve", "township"),
        ("approve", "county"),
        ("announce", "office"),
    ]
    # The decision snapshot: the household's facts and the eligibility result, hashed.
    snapshot = verification.decision_snapshot
    assert verification.decision_sha256 == sha256_of(snapshot)
    assert snapshot["eligibility"]["passed"] is True
    assert snapshot["facts"]["income"]["per_capita_net_income"] == "6000.00"
    assert {m["name"] for m in snapshot["facts"]["members"]} == {"李大", "王秀"}
    assert all("*" in m["masked_id_number"] for m in snapshot["facts"]["members"])
    for event in verification.events.exclude(snapshot={}):
        assert event.snapshot_sha256 == sha256_of(event.snapshot)
    review_event = verification.events.get(action="approve", step_code="village_review")
    assert review_event.details["votes_for"] == 18 and review_event.details["minutes"] == MEETING["minutes"]
    assert AuditEvent.objects.filter(action="verification.announce", actor=people["office"]).count() == 1


def test_snapshot_does_not_change_after_later_edits(ready_household, people, exit_at):
    verification = exit_at("completed")
    stored, digest = verification.decision_snapshot, verification.decision_sha256
    event_digests = list(verification.events.values_list("snapshot_sha256", flat=True))

    # After exit the household is no longer frozen: its income is corrected.
    income_record_save(
        actor=people["cadre"], household=ready_household, year=YEAR, data={"wage_income": "3000"}
    )
    assert IncomeRecord.objects.get(household=ready_household, year=YEAR).per_capita_net_income == 1500

    verification = fresh(verification)
    assert verification.decision_snapshot == stored and verification.decision_sha256 == digest
    assert sha256_of(verification.decision_snapshot) == digest
    assert stored["facts"]["income"]["per_capita_net_income"] == "6000.00"
    assert list(verification.events.values_list("snapshot_sha256", flat=True)) == event_digests


def test_nomination_refused_below_the_income_line(village_cadre_a, ready_household):
    # 3000 元 for two people is 1500 per person, below the 4000 line.
    income_record_save(
        actor=village_cadre_a, household=ready_household, year=YEAR, data={"wage_income": "3000"}
    )
    with pytest.raises(ApplicationError) as refused:
        nominate(village_cadre_a, ready_household)
    assert refused.value.code == "not_eligible" and "人均纯收入" in refused.value.message
    ready_household.refresh_from_db()
    assert ready_household.status == "helped" and not Verification.objects.exists()


def test_nomination_refused_without_an_assessment_of_the_year(village_cadre_a, ready_household):
    with pytest.raises(ApplicationError) as refused:
        household_exit_nominate(
            actor=village_cadre_a,
            household=ready_household,
            note="提前提名",
            year=YEAR - 1,
            today=datetime.date(YEAR - 1, 12, 1),
        )
    assert refused.value.code == "not_eligible"
    assert not Verification.objects.exists()


def test_nomination_refused_for_wrong_status_role_and_area(
    ready_household, village_cadre_a, village_cadre_b, township_officer
):
    with pytest.raises(PermissionDenied):
        nominate(township_officer, ready_household)
    with pytest.raises(NotFound):
        nominate(village_cadre_b, ready_household)
    nominate(village_cadre_a, ready_household)
    with pytest.raises(ApplicationError) as refused:
        nominate(village_cadre_a, ready_household)
    assert refused.value.code == "not_nominable"
    assert Verification.objects.count() == 1


def test_wrong_role_wrong_area_and_skipped_step_change_nothing(people, other_township_officer, exit_at):
    verification = exit_at("township_check")
    before = state(verification)
    # The county officer holds no township capability; the cadre is a village post.
    for actor in (people["county"], people["cadre"], people["office"]):
        with pytest.raises(PermissionDenied):
            approve(actor, verification, "township_check")
    with pytest.raises(NotFound):
        approve(other_township_officer, verification, "township_check")
    with pytest.raises(ApplicationError) as skipped:
        approve(people["county"], verification, "county_approve")
    assert skipped.value.code == "step_out_of_order"
    with pytest.raises(ApplicationError) as repeated:
        approve(people["township"], verification, "village_review")
    assert repeated.value.code == "step_out_of_order"
    assert state(verification) == before


def test_self_approval_on_consecutive_steps_is_refused(
    ready_household, village_cadre_a, first_secretary_a, areas
):
    verification = nominate(village_cadre_a, ready_household)
    before = state(verification)
    with pytest.raises(PermissionDenied) as refused:
        verification_approve(
            actor=village_cadre_a, verification=verification, version=verification.version, details=MEETING
        )
    assert refused.value.code == "self_approval" and state(verification) == before

    # One person posted at both the township and the county cannot take 初核 and 审定 one after the other.
    both = user_create(actor=None, username="both", password=PASSWORD)
    post_assign(actor=None, user=both, area=Area.objects.get(code=TOWNSHIP), role=Role.TOWNSHIP_OFFICER)
    post_assign(actor=None, user=both, area=Area.objects.get(code=COUNTY), role=Role.COUNTY_OFFICER)
    to_step(verification, "township_check", cadre=village_cadre_a, secretary=first_secretary_a)
    approve(both, verification, "township_check")
    before = state(verification)
    with pytest.raises(PermissionDenied) as refused:
        approve(both, verification, "county_approve")
    assert refused.value.code == "self_approval" and state(verification) == before


def test_stale_version_is_a_conflict(people, exit_at):
    verification = exit_at("township_check")
    shown = verification.version
    before = state(verification)
    with pytest.raises(Conflict) as refused:
        verification_approve(
            actor=people["township"], verification=verification, version=shown - 1, note="同意"
        )
    assert "已被他人处理" in refused.value.message and refused.value.status_code == 409
    assert state(verification) == before
    approve(people["township"], verification, "township_check")
    with pytest.raises(Conflict):
        verification_return(actor=people["county"], verification=verification, version=shown, note="旧页面")


def test_meeting_record_is_required_and_must_pass(ready_household, village_cadre_a, first_secretary_a):
    verification = nominate(village_cadre_a, ready_household)
    before = state(verification)
    with pytest.raises(ApplicationError) as missing:
        verification_approve(actor=first_secretary_a, verification=verification, version=verification.version)
    assert {"meeting_date", "participants", "minutes", "attendance"} <= set(missing.value.field_errors)
    with pytest.raises(ApplicationError) as lost:
        verification_approve(
            actor=first_secretary_a,
            verification=verification,
            version=verification.version,
            details={**MEETING, "votes_for": 5, "votes_against": 9},
        )
    assert "votes_for" in lost.value.field_errors
    assert state(verification) == before


def test_return_sends_back_one_step(ready_household, people, exit_at):
    verification = decide_with_a_note(
        verification_return, people["county"], exit_at("county_approve"), "收入佐证材料不全"
    )
    assert verification.current_step == "township_check" and verification.status == "in_progress"
    event = verification.events.order_by("-id").first()
    assert (event.action, event.note, event.actor) == ("return", "收入佐证材料不全", people["county"])
    verification_return(
        actor=people["township"], verification=verification, version=verification.version, note="重新公示"
    )
    verification = fresh(verification)
    assert verification.current_step == "village_publicity"
    ready_household.refresh_from_db()
    assert ready_household.status == "exit_pending"
    # The village posts a new 公示, and the chain continues.
    publicize(people["cadre"], verification)
    assert fresh(verification).current_step == "township_check" and verification.publicities.count() == 2


def test_village_review_cannot_be_returned_only_rejected(ready_household, village_cadre_a, first_secretary_a):
    verification = nominate(village_cadre_a, ready_household)
    with pytest.raises(ApplicationError) as refused:
        verification_return(
            actor=first_secretary_a, verification=verification, version=verification.version, note="再议"
        )
    assert refused.value.code == "cannot_return"


def test_reject_ends_and_restores_the_prior_status(ready_household, people, exit_at):
    verification = decide_with_a_note(
        verification_reject, people["township"], exit_at("township_check"), "入户核查发现收入不稳定"
    )
    ready_household.refresh_from_db()
    assert verification.status == VerificationStatus.REJECTED and verification.current_step == ""
    assert ready_household.status == "helped"
    with pytest.raises(ApplicationError) as closed:
        approve(people["township"], verification, None)
    assert closed.value.code == "closed"
    # The history keeps the attempt; a new nomination starts a new one.
    nominate(people["cadre"], ready_household)
    assert Verification.objects.filter(household=ready_household).count() == 2


def test_reject_of_a_returned_household_goes_back_to_returned(ready_household, people, exit_at):
    exit_at("completed")
    ready_household.refresh_from_db()
    household_set_status(
        actor=None, household=ready_household, to_status="returned", reason="因病返贫", workflow="test"
    )
    ready_household.refresh_from_db()
    verification = nominate(people["cadre"], ready_household)
    assert verification.prior_household_status == "returned"
    verification_reject(
        actor=people["secretary"],
        verification=verification,
        version=verification.version,
        note="评议未通过",
        details={**MEETING, "votes_for": 3, "votes_against": 15},
    )
    ready_household.refresh_from_db()
    assert ready_household.status == "returned"
    assert fresh(verification).events.get(action="reject").details["votes_against"] == 15


def test_withdraw_restores_status_and_stops_the_publicity(ready_household, people):
    verification = nominate(people["cadre"], ready_household)
    review(people["secretary"], verification)
    open_publicity(people["cadre"], verification)
    with pytest.raises(PermissionDenied):
        verification_withdraw(
            actor=people["township"],
            verification=fresh(verification),
            version=verification.version,
            note="乡镇不能撤回",
        )
    verification_withdraw(
        actor=people["cadre"],
        verification=fresh(verification),
        version=verification.version,
        note="需更正成员信息",
    )
    verification = fresh(verification)
    ready_household.refresh_from_db()
    assert verification.status == VerificationStatus.WITHDRAWN and ready_household.status == "helped"
    assert verification.publicities.get().status == "closed"


def test_changed_facts_block_the_next_check(ready_household, people, exit_at):
    verification = exit_at("township_check")
    # A write that bypassed the services (the freeze rule) is caught by the snapshot comparison.
    IncomeRecord.objects.filter(household=ready_household).update(per_capita_net_income=9999)
    before = state(verification)
    with pytest.raises(ApplicationError) as refused:
        approve(people["township"], verification, "township_check")
    assert refused.value.code == "facts_changed" and state(verification) == before


def county_chain_set(actor, steps, note):
    """新平县's own household exit chain from 2013."""
    return approval_chain_set(
        actor=actor,
        area=Area.objects.get(code=COUNTY),
        workflow_type="household_exit",
        year_from=2013,
        steps=steps,
        note=note,
    )


def test_area_override_chain_applies_to_new_attempts_only(ready_household, people, village_cadre_b):
    running = nominate(people["cadre"], ready_household)
    with pytest.raises(PermissionDenied):
        county_chain_set(people["township"], [], "无权")
    with pytest.raises(ApplicationError):
        county_chain_set(
            people["county"],
            [{"code": "x", "label": "x", "level": "village", "capability": "no.such", "kind": "start"}] * 2,
            "错误",
        )
    steps = [
        {
            "code": "nominate",
            "label": "提名",
            "level": "village",
            "capability": "exit.nominate",
            "kind": "start",
        },
        {
            "code": "township_check",
            "label": "乡级初核",
            "level": "township",
            "capability": "exit.approve_township",
            "kind": "approval",
        },
        {
            "code": "county_approve",
            "label": "县级审定并公告",
            "level": "county",
            "capability": "exit.approve_county",
            "kind": "announcement",
        },
    ]
    county_chain_set(people["county"], steps, "县扶贫开发领导小组决定")
    household_b = register_household(
        actor=village_cadre_b, area=Area.objects.get(code=VILLAGE_B), sequence=201, head_name="刀二"
    )
    household_b = helped(village_cadre_b, make_eligible(village_cadre_b, household_b))
    short = nominate(village_cadre_b, household_b)
    assert [s["code"] for s in short.chain] == ["nominate", "township_check", "county_approve"]
    assert "县扶贫开发领导小组决定" in short.chain_source
    assert [s["code"] for s in fresh(running).chain][2] == "village_publicity"
    approve(people["township"], short, "township_check")
    approve(people["county"], short, "county_approve")
    household_b.refresh_from_db()
    assert household_b.status == "exited" and fresh(short).status == "completed"
    assert VerificationEvent.objects.filter(verification=short, action="announce").count() == 1
