"""``/metrics`` for Prometheus, and the queue and job backlog that readiness (povalleviation.health) reads too.

django-prometheus counts requests, latency and database queries in each process. The task queue's length (Redis
LLEN) and the job tables (waiting, oldest waiting, failed) are read at scrape time, so every web process answers
the same figures and a frozen or dead worker shows as a growing backlog even though it reports nothing itself.

The kernel imports no app: the job tables are named here by model label and fetched with ``apps.get_model`` when
a scrape or a readiness check runs.
"""
import ipaddress
import os
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from povalleviation.request_context import client_ip


@dataclass(frozen=True)
class JobKind:
    """A table of background jobs: which rows wait for a worker (and since when), which failed, which succeeded."""

    key: str
    label: str
    model: str
    waiting: Q  # queued for a worker, not yet taken
    waiting_since: str  # the time the row was queued
    failed: tuple[str, ...]
    succeeded: tuple[str, ...]
    # When the job ended (either way); None if the table keeps no such time for failures.
    finished_field: str | None


JOB_KINDS = (
    # An import waits for its validation (已上传) or, once confirmed, for its commit (导入中 before any delivery:
    # households.imports.jobs counts each delivery in ``attempts``); each move sets ``updated_at``.
    JobKind("import", "户信息导入", "households.ImportJob",
            Q(status__in=("uploaded", "committing"), attempts=0), "updated_at",
            ("failed",), ("valid", "invalid", "committed"), "finished_at"),
    # A retried report keeps its row and its ``created_at``: its wait is counted from its first request.
    JobKind("report", "季度报告生成", "reports.QuarterlyReport", Q(status="queued"), "created_at",
            ("failed",), ("draft", "reviewed", "signed"), None),
    JobKind("recompute", "脱贫标准重算", "assessments.RecomputeRun", Q(status="queued"), "created_at",
            ("failed",), ("succeeded",), "finished_at"),
)

# kombu's Redis transport keeps prioritised messages in sibling lists: "<queue>\x06\x16<priority>".
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (0, 3, 6, 9)


# ---------------------------------------------------------------- broker and queue

def broker_client():
    import redis

    timeout = settings.HEALTH_BROKER_TIMEOUT_SECONDS
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout)


def queue_length(client=None) -> int:
    """Messages waiting in the default Celery queue (not yet taken by a worker). Raises redis errors."""
    client = client or broker_client()
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    names = [queue] + [f"{queue}{_PRIORITY_SEPARATOR}{step}" for step in _PRIORITY_STEPS if step]
    pipeline = client.pipeline(transaction=False)
    for name in names:
        pipeline.llen(name)
    return sum(pipeline.execute())


def broker_in_use() -> bool:
    return bool(settings.REDIS_URL) and not settings.CELERY_TASK_ALWAYS_EAGER


# ---------------------------------------------------------------- job tables

def job_backlog(now=None) -> list[dict]:
    """Per job table: jobs waiting to start, the oldest one's age (seconds), failed jobs, the last hour's outcomes."""
    now = now or timezone.now()
    hour_ago = now - timedelta(hours=1)
    rows = []
    for kind in JOB_KINDS:
        model = apps.get_model(kind.model)
        waiting = model._base_manager.filter(kind.waiting)
        oldest = waiting.order_by(kind.waiting_since).values_list(kind.waiting_since, flat=True).first()
        row = {
            "kind": kind.key, "label": kind.label,
            "waiting": waiting.count(),
            "oldest_waiting_seconds": round(max((now - oldest).total_seconds(), 0.0), 1) if oldest else 0.0,
            "failed": model._base_manager.filter(status__in=kind.failed).count(),
            "failed_last_hour": None, "succeeded_last_hour": None,
        }
        if kind.finished_field:
            recent = model._base_manager.filter(**{f"{kind.finished_field}__gte": hour_ago})
            row["failed_last_hour"] = recent.filter(status__in=kind.failed).count()
            row["succeeded_last_hour"] = recent.filter(status__in=kind.succeeded).count()
        rows.append(row)
    return rows


# ---------------------------------------------------------------- Prometheus

class BacklogCollector:
    """Gauges read at scrape time from the broker and the job tables."""

    def collect(self):
        broker_up = GaugeMetricFamily("povalleviation_broker_up", "任务队列（Redis）可连接为 1，否则为 0")
        queue = GaugeMetricFamily("povalleviation_celery_queue_length", "任务队列中等待工作进程领取的消息数",
                                  labels=["queue"])
        if broker_in_use():
            try:
                queue.add_metric([settings.CELERY_TASK_DEFAULT_QUEUE], queue_length())
                broker_up.add_metric([], 1)
            except Exception:  # any redis error: the broker is unreachable for this scrape
                broker_up.add_metric([], 0)
        yield broker_up
        yield queue

        database_up = GaugeMetricFamily("povalleviation_database_up", "数据库可查询为 1，否则为 0")
        waiting = GaugeMetricFamily("povalleviation_jobs_waiting", "尚未开始的后台作业数", labels=["kind"])
        oldest = GaugeMetricFamily("povalleviation_jobs_oldest_waiting_age_seconds",
                                   "最早一个尚未开始的后台作业已等待的秒数（无等待作业为 0）", labels=["kind"])
        failed = GaugeMetricFamily("povalleviation_jobs_failed", "当前处于失败状态的后台作业数", labels=["kind"])
        finished = GaugeMetricFamily("povalleviation_jobs_finished_last_hour", "最近一小时结束的后台作业数",
                                     labels=["kind", "outcome"])
        try:
            backlog = job_backlog()
        except Exception:  # the database is down: say so, report no job figures
            database_up.add_metric([], 0)
            backlog = []
        else:
            database_up.add_metric([], 1)
        for row in backlog:
            waiting.add_metric([row["kind"]], row["waiting"])
            oldest.add_metric([row["kind"]], row["oldest_waiting_seconds"])
            failed.add_metric([row["kind"]], row["failed"])
            if row["failed_last_hour"] is not None:
                finished.add_metric([row["kind"], "failed"], row["failed_last_hour"])
                finished.add_metric([row["kind"], "succeeded"], row["succeeded_last_hour"])
        yield from (database_up, waiting, oldest, failed, finished)


def _process_registry():
    """The request and database metrics: this process's, or every process's in prometheus_client's multiprocess
    mode (PROMETHEUS_MULTIPROC_DIR set before start)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


@lru_cache(maxsize=8)
def _allowed_networks(entries: tuple[str, ...]):
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)
    except ValueError as error:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS 中有无效的地址或网段：{error}") from error


def address_allowed(address) -> bool:
    try:
        ip = ipaddress.ip_address(str(address or ""))
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    networks = _allowed_networks(tuple(settings.METRICS_ALLOWED_NETWORKS))
    return any(ip.version == network.version and ip in network for network in networks)


@never_cache
@require_GET
def metrics(request):
    if not address_allowed(client_ip(request)):
        raise Http404
    backlog = CollectorRegistry(auto_describe=False)
    backlog.register(BacklogCollector())
    body = generate_latest(_process_registry()) + generate_latest(backlog)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
