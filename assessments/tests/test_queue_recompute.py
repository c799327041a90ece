"""Eligibility work and the queue: a household saved while the broker is unreachable is saved (its evaluation
callback is named and logs the outage), a recompute run whose message was lost is sent again by the sweeper and
completes, and a second message for a run already started does nothing."""
import logging

import pytest
from django.db import transaction

from assessments.eligibility.models import RecomputeRun
from assessments.eligibility.services import queue_household_evaluation, requeue_unstarted_runs
from assessments.eligibility.tasks import recompute_eligibility_task
from assessments.tests.test_recompute import parameters  # noqa: F401 (fixture)
from conftest import COUNTY
from tests import queue_support
from tests.queue_support import minutes_ago
from villages.models import Area

pytestmark = pytest.mark.django_db
broker_down = queue_support.broker_down  # the fixture, used by name


@pytest.mark.usefixtures("broker_down")
def test_a_household_evaluation_with_the_broker_down_is_logged_not_raised(caplog, django_capture_on_commit_callbacks):
    household_id = 987654  # no callback pending for it yet (the task does nothing for a missing household)
    caplog.set_level(logging.ERROR)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            queue_household_evaluation(household_id)
            queue_household_evaluation(household_id)  # one evaluation per household per transaction
    assert len(callbacks) == 1
    assert callbacks[0].__qualname__ == f"queue_household_evaluation[{household_id}]"
    assert any("assessments.evaluate_household" in r.getMessage() and r.name == "povalleviation.queue"
               for r in caplog.records)


@pytest.mark.usefixtures("parameters")
def test_a_lost_recompute_run_is_sent_again_and_completes(areas, eager_tasks):
    county = Area.objects.get(code=COUNTY)
    run = RecomputeRun.objects.create(area=county, year=2018, trigger="manual")
    assert requeue_unstarted_runs(minutes=10) == 0  # queued moments ago: its own message may still come
    RecomputeRun.objects.filter(pk=run.pk).update(created_at=minutes_ago(11))
    assert requeue_unstarted_runs(minutes=10) == 1
    run.refresh_from_db()
    assert run.status == RecomputeRun.Status.SUCCEEDED
    assert requeue_unstarted_runs(minutes=10) == 0


@pytest.mark.usefixtures("parameters")
def test_a_resent_message_leaves_a_started_run_alone(areas):
    county = Area.objects.get(code=COUNTY)
    run = RecomputeRun.objects.create(area=county, year=2018, trigger="manual", status=RecomputeRun.Status.RUNNING)
    assert recompute_eligibility_task(county.pk, 2018, run.pk, only_if_queued=True) == {
        "run_id": run.pk, "skipped": "already started"}
