"""The spend-ratio task keeps the name queued messages and the nightly beat entry use, tries again after a
lost database connection and fails at once on any other error."""
import pytest
from django.conf import settings
from django.db import OperationalError

from conftest import COUNTY
from funds import recompute
from funds.tasks import recompute_fund_ratios_task
from povalleviation.celery import app


def test_task_name_matches_the_beat_schedule_and_earlier_messages():
    assert recompute_fund_ratios_task.name == "funds.tasks.recompute_fund_ratios_task"
    assert settings.CELERY_BEAT_SCHEDULE["recompute-fund-ratios"]["task"] == recompute_fund_ratios_task.name
    assert recompute_fund_ratios_task.name in app.tasks


def test_a_lost_database_connection_is_tried_again(areas, monkeypatch):
    calls = []
    real = recompute.spend_ratios_recompute

    def flaky(**kwargs):
        calls.append(kwargs["area"].code)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(recompute, "spend_ratios_recompute", flaky)
    result = recompute_fund_ratios_task.apply(kwargs={"county_code": COUNTY, "year": 2024}, throw=False)
    assert result.successful() and len(result.get()) == 1
    assert calls == [COUNTY, COUNTY]


def test_any_other_error_fails_at_once_without_retrying(areas, monkeypatch):
    calls = []

    def broken(**kwargs):
        calls.append(kwargs["area"].code)
        raise ValueError("bad data")

    monkeypatch.setattr(recompute, "spend_ratios_recompute", broken)
    with pytest.raises(ValueError, match="bad data"):
        recompute_fund_ratios_task.apply(kwargs={"county_code": COUNTY, "year": 2024}).get()
    assert calls == [COUNTY]
