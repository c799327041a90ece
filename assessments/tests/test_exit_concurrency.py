"""Two township officers approve the same household at the same moment, each on its own database connection
(PostgreSQL row lock): exactly one succeeds, the other gets the 409 refusal, and one event is written."""

import threading

import pytest
from django.db import connection

from accounts.services import post_assign, user_create
from assessments.tests.workflow_fixtures import fresh
from assessments.workflows.models import VerificationEvent
from assessments.workflows.services import verification_approve
from conftest import PASSWORD, TOWNSHIP
from povalleviation.errors import Conflict
from povalleviation.roles import Role
from villages.models import Area


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_township_approvals_give_one_success_and_one_conflict(township_officer, exit_at):
    second_officer = user_create(actor=None, username="township2", password=PASSWORD)
    post_assign(
        actor=None, user=second_officer, area=Area.objects.get(code=TOWNSHIP), role=Role.TOWNSHIP_OFFICER
    )
    verification = exit_at("township_check")
    shown = verification.version
    barrier = threading.Barrier(2)
    outcomes = {}

    def approve_as(officer):
        try:
            barrier.wait(timeout=10)
            verification_approve(
                actor=officer,
                verification=verification,
                version=shown,
                step_code="township_check",
                note=f"{officer.username} 同意",
            )
            outcomes[officer.username] = "ok"
        except Conflict as error:
            outcomes[officer.username] = error.message
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve_as, args=(officer,)) for officer in (township_officer, second_officer)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values(), key=lambda v: v != "ok")[0] == "ok"
    assert list(outcomes.values()).count("ok") == 1
    refusal = next(value for value in outcomes.values() if value != "ok")
    assert "已被他人处理" in refusal and "刷新" in refusal
    verification = fresh(verification)
    assert verification.current_step == "county_approve" and verification.version == shown + 1
    approvals = VerificationEvent.objects.filter(
        verification=verification, step_code="township_check", action="approve"
    )
    assert approvals.count() == 1
    assert approvals.get().actor.username == next(name for name, value in outcomes.items() if value == "ok")
