"""/metrics: open only to METRICS_ALLOWED_NETWORKS (the client address as the trusted-proxy rule reads it), with
django-prometheus' request metrics and the queue length and job backlog read at scrape time."""
import datetime

import pytest
import redis
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from accounts.tasks import ping_database_task
from conftest import COUNTY
from reports.services import report_generate
from tests.celery_support import new_queue, require_redis

pytestmark = pytest.mark.django_db


def _samples(response) -> dict:
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.mark.parametrize(("remote", "forwarded", "trusted", "allowed", "status"), [
    pytest.param("10.1.2.3", "", [], ["127.0.0.1/32"], 404, id="other_address"),
    pytest.param("10.1.2.3", "127.0.0.1", [], ["127.0.0.1/32"], 404, id="forwarded_for_from_an_untrusted_peer"),
    pytest.param("127.0.0.1", "", [], ["127.0.0.1/32"], 200, id="default_localhost"),
    pytest.param("172.30.0.10", "10.9.8.7", ["172.30.0.10"], ["10.9.0.0/16"], 200, id="client_behind_trusted_proxy"),
    pytest.param("172.30.0.10", "10.1.8.7", ["172.30.0.10"], ["10.9.0.0/16"], 404, id="other_behind_trusted_proxy"),
])
def test_metrics_only_for_allowed_addresses(client, remote, forwarded, trusted, allowed, status):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    with override_settings(TRUSTED_PROXY_IPS=trusted, METRICS_ALLOWED_NETWORKS=allowed):
        response = client.get("/metrics", **extra)
    assert response.status_code == status
    if status == 404:
        assert b"povalleviation_" not in response.content


def test_metrics_report_requests_queue_length_and_the_oldest_waiting_job(client, areas, leading_group_staff,
                                                                        monkeypatch):
    require_redis()
    queue = new_queue()
    broker = redis.Redis.from_url(settings.REDIS_URL)
    clock = timezone.now
    then = clock() - datetime.timedelta(minutes=20)
    monkeypatch.setattr(timezone, "now", lambda: then)
    report_generate(actor=leading_group_staff, area=areas[COUNTY], year=2024, quarter=2)
    monkeypatch.setattr(timezone, "now", clock)
    try:
        with override_settings(CELERY_TASK_DEFAULT_QUEUE=queue):
            for _ in range(3):  # published to the real broker; no worker reads this queue
                ping_database_task.apply_async(queue=queue)
            client.get("/healthz/live")
            response = client.get("/metrics")
    finally:
        broker.delete(queue)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    samples = _samples(response)
    assert samples[("povalleviation_broker_up", ())] == 1
    assert samples[("povalleviation_database_up", ())] == 1
    assert samples[("povalleviation_celery_queue_length", (("queue", queue),))] == 3
    assert samples[("povalleviation_jobs_waiting", (("kind", "report"),))] == 1
    assert samples[("povalleviation_jobs_waiting", (("kind", "import"),))] == 0
    age = samples[("povalleviation_jobs_oldest_waiting_age_seconds", (("kind", "report"),))]
    assert 20 * 60 <= age < 21 * 60
    assert samples[("povalleviation_jobs_oldest_waiting_age_seconds", (("kind", "recompute"),))] == 0
    assert samples[("povalleviation_jobs_failed", (("kind", "report"),))] == 0
    assert samples[("povalleviation_jobs_finished_last_hour", (("kind", "import"), ("outcome", "failed")))] == 0
    # django-prometheus: requests by view and their latency
    names = {name for name, _labels in samples}
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in names
    assert "django_http_responses_total_by_status_total" in names


def test_metrics_say_when_the_broker_is_down(client):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        samples = _samples(client.get("/metrics"))
    assert samples[("povalleviation_broker_up", ())] == 0
    assert not [key for key in samples if key[0] == "povalleviation_celery_queue_length"]


@pytest.mark.usefixtures("media_root")
def test_an_import_waits_for_its_validation_and_again_for_its_commit(client, village_cadre_a, monkeypatch):
    from households.imports.jobs import import_job_confirm, import_job_create, run_validation
    from households.tests.import_files import many_households, workbook_bytes, xlsx_upload

    clock = timezone.now

    def at(minutes_ago):
        then = clock() - datetime.timedelta(minutes=minutes_ago)
        monkeypatch.setattr(timezone, "now", lambda: then)

    def import_backlog():
        samples = _samples(client.get("/metrics"))
        return (samples[("povalleviation_jobs_waiting", (("kind", "import"),))],
                samples[("povalleviation_jobs_oldest_waiting_age_seconds", (("kind", "import"),))])

    at(30)  # uploaded 30 minutes ago; its validation task (queued on commit) never ran
    job = import_job_create(actor=village_cadre_a, uploaded_file=xlsx_upload(workbook_bytes(*many_households(2))))
    monkeypatch.setattr(timezone, "now", clock)
    waiting, age = import_backlog()
    assert waiting == 1 and 30 * 60 <= age < 31 * 60

    at(20)  # validated 20 minutes ago (what the worker's task does), then confirmed 12 minutes ago
    run_validation(job.pk)
    assert import_backlog()[0] == 0  # validated and waiting for the user: no worker is awaited
    at(12)
    import_job_confirm(actor=village_cadre_a, job=job)
    monkeypatch.setattr(timezone, "now", clock)
    waiting, age = import_backlog()
    assert waiting == 1 and 12 * 60 <= age < 13 * 60  # the commit waits since the confirmation
