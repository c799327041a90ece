"""Error pages and API errors in Chinese, the request id on responses, in JSON log lines and in Celery tasks.

The failing views exist only in this module's URLconf (``ROOT_URLCONF`` points here), in front of the real one.
"""
import io
import json
import logging
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import include, path
from django.utils.module_loading import import_string
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from accounts.tasks import ping_database_task
from povalleviation.request_context import RequestContextFilter, bind_request_id, unbind_request_id
from tests.celery_support import (
    celery_worker,
    new_queue,
    require_redis,
    wait_for_result,
)


def _failing_page(request):
    raise RuntimeError("页面里的意外错误")


class _FailingApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("接口里的意外错误")


urlpatterns = [
    path("test-failing-page/", _failing_page),
    path("api/v1/test-failing/", _FailingApi.as_view()),
    path("", include("portal.urls")),
]
handler400 = "povalleviation.errorpages.bad_request"
handler403 = "povalleviation.errorpages.permission_denied"
handler404 = "povalleviation.errorpages.page_not_found"
handler500 = "povalleviation.errorpages.server_error"

THIS_URLCONF = __name__


@pytest.fixture
def json_log():
    """The root logger also writes to a buffer through the configured JSON formatter and request filter."""
    options = dict(settings.LOGGING["formatters"]["json"])
    formatter = import_string(options.pop("()"))(**options)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    finally:
        root.removeHandler(handler)


@pytest.fixture
def failing_client():
    return Client(raise_request_exception=False)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=THIS_URLCONF)
def test_unexpected_page_error_shows_the_chinese_500_page_and_logs_the_traceback_with_the_request_id(
        failing_client, json_log):
    response = failing_client.get("/test-failing-page/")
    assert response.status_code == 500
    body = response.content.decode()
    request_id = response["X-Request-ID"]
    assert "服务器内部错误" in body and "请求编号" in body and request_id in body
    assert "RuntimeError" not in body and "Traceback" not in body
    [line] = [line for line in json_log() if line["logger"] == "django.request"]
    assert line["level"] == "ERROR" and line["request_id"] == request_id and line["path"] == "/test-failing-page/"
    assert "RuntimeError: 页面里的意外错误" in line["exc_info"]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=THIS_URLCONF)
def test_unexpected_api_error_is_500_json_in_the_api_error_shape(failing_client, json_log):
    response = failing_client.get("/api/v1/test-failing/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    request_id = response["X-Request-ID"]
    assert response.json() == {
        "detail": "服务器内部错误，请稍后再试；如果问题持续，请把请求编号告知系统管理员。",
        "code": "server_error", "errors": {}, "request_id": request_id,
    }
    lines = [line for line in json_log() if line["level"] == "ERROR"]
    assert len(lines) == 1, lines  # logged once, with the traceback
    assert lines[0]["logger"] == "povalleviation.api" and lines[0]["request_id"] == request_id
    assert "RuntimeError: 接口里的意外错误" in lines[0]["exc_info"]


@pytest.mark.django_db
def test_unknown_api_path_is_404_json(client):
    response = client.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "未找到。", "code": "not_found", "errors": {}}


@pytest.mark.django_db
def test_unknown_page_is_the_chinese_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "json_answer"), [("/households/", False), ("/api/v1/households/", True)])
def test_a_bad_request_is_answered_400_in_chinese(client, path, json_answer):
    response = client.get(path, HTTP_HOST="not-our-host.example")  # DisallowedHost: Django's 400
    assert response.status_code == 400
    if json_answer:
        assert response.json() == {"detail": "请求无效。", "code": "bad_request", "errors": {}}
    else:
        body = response.content.decode()
        assert "请求无效" in body and response["X-Request-ID"] in body


def test_the_500_and_400_pages_render_without_request_or_database():
    from django.template import loader

    for name, title in (("500.html", "服务器内部错误"), ("400.html", "请求无效")):
        html = loader.get_template(name).render({"request_id": "abc123"})
        assert title in html and "abc123" in html and 'lang="zh-CN"' in html


@pytest.mark.django_db
def test_request_id_is_made_for_each_request_and_a_client_cannot_choose_it(client):
    first = client.get("/healthz/live", HTTP_X_REQUEST_ID="chosen-by-client-0001")
    second = client.get("/healthz/live")
    assert first["X-Request-ID"] != "chosen-by-client-0001"
    assert len(first["X-Request-ID"]) == 32 and first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_IPS=["127.0.0.1"])
def test_request_id_from_the_trusted_proxy_is_kept(client):
    assert client.get("/healthz/live", HTTP_X_REQUEST_ID="proxy-made-id-0001")["X-Request-ID"] == "proxy-made-id-0001"
    # malformed ids are replaced
    assert client.get("/healthz/live", HTTP_X_REQUEST_ID="bad id\n")["X-Request-ID"] != "bad id\n"


def test_text_log_format_carries_the_request_id():
    formatter = logging.Formatter(settings.LOGGING["formatters"]["text"]["format"])
    record = logging.LogRecord("povalleviation.test", logging.WARNING, __file__, 1, "导入失败", None, None)
    token = bind_request_id("text-format-id-01")
    try:
        RequestContextFilter().filter(record)
    finally:
        unbind_request_id(token)
    assert "[text-format-id-01] povalleviation.test: 导入失败" in formatter.format(record)


@pytest.mark.celery_worker
@pytest.mark.django_db
def test_request_id_travels_into_the_task_the_request_queued():
    """A real worker (prefork, JSON logs) logs the task's outcome under the id of the request that queued it."""
    require_redis()
    queue = new_queue()
    with celery_worker(queue, pool="prefork", stop_timeout=30, env={"LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}) as (
            worker, log):
        token = bind_request_id("request-into-task-0001")
        try:
            result = ping_database_task.apply_async(queue=queue)
        finally:
            unbind_request_id(token)
        assert wait_for_result(result, worker, log)["database"] == "ok"
        result.forget()
        deadline = time.monotonic() + 10
        while True:
            log.seek(0)
            lines = [json.loads(line) for line in log.read().splitlines() if line.startswith("{")]
            done = [line for line in lines if line["logger"] == "celery.app.trace" and "succeeded" in line["message"]]
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert done, lines
    assert done[0]["request_id"] == "request-into-task-0001"


@pytest.mark.parametrize(("env", "expected"), [
    ({"DJANGO_ENV": "production"}, "json"),
    ({"DJANGO_ENV": "development"}, "text"),
    ({"DJANGO_ENV": "production", "LOG_FORMAT": "text"}, "text"),
    ({"LOG_FORMAT": "xml"}, "LOG_FORMAT 的值 'xml' 无法识别"),
])
def test_log_format_follows_the_environment(env, expected):
    """Settings are read once at start-up, so each case is a fresh process."""
    code = ("import povalleviation.settings as s; print(s.LOGGING['handlers']['console']['formatter'])")
    environment = {key: value for key, value in os.environ.items() if key not in {"DJANGO_ENV", "LOG_FORMAT", "DEBUG"}}
    environment.update({"SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "example.org", "REDIS_URL": "redis://127.0.0.1:1/0",
                        "REPORT_SIGNING_PKCS12_PATH": "/nonexistent.p12", **env})
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment,
                              cwd=settings.BASE_DIR, timeout=60)
    assert expected in (finished.stdout + finished.stderr), finished.stderr
