"""schemathesis against the live API: every operation in /api/schema/, as the demo county officer.

The demo data is loaded into the test database, the app is served by a live server, and each operation gets a
few generated requests (valid ones and invalid ones), derandomised so a run is repeatable. Any 5xx, or a
response whose body does not match the schema, fails the test with the operation and the request to replay.
The whole run is bounded in time (TIME_BUDGET_SECONDS); operations not reached in time fail the test too.
"""
import secrets
import time

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import User

MAX_EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 4}
TIME_BUDGET_SECONDS = 240
CHECKS = [not_a_server_error, response_schema_conformance]
WALKED_IDS = 25


def _county_officer_session() -> dict[str, str]:
    """Cookies of a signed-in demo county officer whose session has passed the second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.get(username="county_xinping")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="测试口令", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def _exercise(operation, mode, *, base_url, headers, cookies, deadline) -> str | None:
    """None when every generated request passed; otherwise schemathesis' report of the first failure."""

    @hypothesis.settings(
        max_examples=MAX_EXAMPLES[mode], deadline=None, derandomize=True, database=None,
        phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        if time.monotonic() > deadline:
            return
        response = case.call(base_url=base_url, headers=headers, cookies=cookies, timeout=60)
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE, f"{operation.label}: no valid request can be generated"
        return None  # nothing in this operation can be made invalid (no parameters, no body)
    except (Exception, BaseExceptionGroup) as error:  # schemathesis reports check failures as a group
        return f"{operation.label} [{mode.value}]: {error}"
    return None


def _walk_demo_data(operations, *, base_url, headers, cookies) -> list[str]:
    """Every list endpoint's first page, then each detail endpoint for the first ids found: the demo data itself
    must match the schema (generated ids mostly miss the rows that hold nulls)."""
    failures, ids = [], {}
    reads = [operation for operation in operations if operation.method.upper() == "GET"]
    for operation in reads:
        if "{" in operation.path:
            continue
        case = operation.Case(query={"page_size": 500})
        response = case.call(base_url=base_url, headers=headers, cookies=cookies, timeout=60)
        if response.status_code == 400:  # required filters (area, year): left to the generated requests
            continue
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as error:
            failures.append(f"{operation.label} (demo data): {error}")
            continue
        rows = response.json().get("results") if isinstance(response.json(), dict) else None
        for key in ("id", "code"):
            found = [row[key] for row in rows or [] if isinstance(row, dict) and key in row]
            if found:
                ids[f"{operation.path}{{{key}}}"] = found[:WALKED_IDS]
    walked = 0
    for operation in reads:
        prefix = next((prefix for prefix in ids if operation.path.startswith(prefix + "/")), None)
        if prefix is None:
            continue
        name = prefix.rsplit("{", 1)[1].rstrip("}")
        for value in ids[prefix]:
            case = operation.Case(path_parameters={name: value})
            response = case.call(base_url=base_url, headers=headers, cookies=cookies, timeout=60)
            walked += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except (Exception, BaseExceptionGroup) as error:
                failures.append(f"{operation.label} {name}={value} (demo data): {error}")
                break
    assert walked > 100, f"only {walked} detail requests: the walk found no demo data"
    return failures


@pytest.mark.api_fuzz
@pytest.mark.django_db(transaction=True)
def test_every_api_operation_survives_generated_requests(live_server):
    call_command("load_demo", verbosity=0)
    cookies = _county_officer_session()
    csrf = secrets.token_hex(16)  # the double-submit pair Django accepts for session-authenticated writes
    cookies[settings.CSRF_COOKIE_NAME] = csrf
    headers = {"X-CSRFToken": csrf, "Referer": f"{live_server.url}/api/docs/"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json", headers=headers,
                                           cookies=cookies)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40, "the schema lost its operations"
    failures = _walk_demo_data(operations, base_url=live_server.url, headers=headers, cookies=cookies)
    deadline = time.monotonic() + TIME_BUDGET_SECONDS
    unreached = []
    for operation in operations:
        for mode in MAX_EXAMPLES:
            if time.monotonic() > deadline:
                unreached.append(f"{operation.label} [{mode.value}]")
                continue
            failure = _exercise(operation, mode, base_url=live_server.url, headers=headers, cookies=cookies,
                                deadline=deadline)
            if failure:
                failures.append(failure)
    assert failures == [], "\n\n".join(failures)
    assert unreached == [], f"not reached within {TIME_BUDGET_SECONDS} s: {unreached}"
