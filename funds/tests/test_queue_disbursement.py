"""A 报账 saved while the broker is unreachable answers 201; its spend-ratio recompute, lost with the send, is
sent again by the queue sweeper (funds.tasks.requeue_missed_recomputes) once the broker is back."""
import datetime
import time

import pytest

from conftest import COUNTY
from funds.models import Disbursement, FundAllocation, FundRecomputeRun
from funds.tasks import requeue_missed_recomputes
from funds.tests.factories import allocate, fund
from tests import queue_support
from tests.queue_support import minutes_ago

broker_down = queue_support.broker_down  # the fixture, used by name


@pytest.mark.usefixtures("broker_down")
def test_a_disbursement_is_saved_with_the_broker_down_and_its_recompute_is_sent_later(
        approved_project, areas, county_officer, township_officer, api_for,
        django_capture_on_commit_callbacks):
    allocation = allocate(actor=county_officer, area=areas[COUNTY], amount="200000")
    funding = fund(actor=county_officer, allocation=allocation, project=approved_project, amount="150000")
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_for(township_officer).post("/api/v1/disbursements/", {
            "funding": funding.pk, "amount": "50000", "paid_on": "2024-05-02", "voucher_number": "PZ-7"}, format="json")
    assert answer.status_code == 201, answer.content.decode()
    assert time.monotonic() - started < 10
    assert Disbursement.objects.filter(voucher_number="PZ-7").exists()
    assert not FundRecomputeRun.objects.exists()

    from povalleviation.celery import app

    app.conf.task_always_eager = True
    assert requeue_missed_recomputes(minutes=10) == 0  # recorded just now: its own send may still arrive
    for model in (Disbursement, FundAllocation):
        model.objects.update(created_at=minutes_ago(11))
    assert requeue_missed_recomputes(minutes=10) == 1
    run = FundRecomputeRun.objects.get()
    assert run.scope_code == COUNTY and run.year == allocation.year
    assert requeue_missed_recomputes(minutes=10) == 0  # recomputed since: nothing to send
    assert datetime.date(2024, 5, 2) <= run.as_of
