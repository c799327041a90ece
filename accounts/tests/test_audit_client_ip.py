"""The recorded client address comes from X-Forwarded-For only when the connection is from a trusted proxy."""
import pytest
from django.test import Client, RequestFactory

from accounts.models import AuditEvent
from conftest import PASSWORD
from povalleviation.request_context import client_ip

SPOOFED = "6.6.6.6"


def _ip(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


def test_forwarded_for_from_a_direct_client_is_ignored(settings):
    settings.TRUSTED_PROXY_IPS = ["10.0.0.5"]
    assert _ip("203.0.113.9", SPOOFED) == "203.0.113.9"
    assert _ip("203.0.113.9", f"{SPOOFED}, 10.0.0.5") == "203.0.113.9"
    settings.TRUSTED_PROXY_IPS = []
    assert _ip("127.0.0.1", SPOOFED) == "127.0.0.1"


def test_behind_a_trusted_proxy_the_address_it_saw_is_taken(settings):
    settings.TRUSTED_PROXY_IPS = ["10.0.0.5"]
    assert _ip("10.0.0.5", "198.51.100.7") == "198.51.100.7"
    # The client sent its own X-Forwarded-For; the proxy appended the real address: the right-most one counts.
    assert _ip("10.0.0.5", f"{SPOOFED}, 198.51.100.7") == "198.51.100.7"
    assert _ip("10.0.0.5", "") == "10.0.0.5"
    assert _ip("10.0.0.5", "not-an-address") == "10.0.0.5"


def test_a_chain_of_trusted_proxies_given_as_a_network(settings):
    settings.TRUSTED_PROXY_IPS = ["10.0.0.0/24", "172.16.0.1"]
    assert _ip("10.0.0.5", f"{SPOOFED}, 198.51.100.7, 172.16.0.1") == "198.51.100.7"
    assert _ip("10.0.0.5", "198.51.100.7, 10.0.0.9") == "198.51.100.7"
    assert _ip("10.0.1.5", "198.51.100.7") == "10.0.1.5"  # outside the network: not a proxy of ours


@pytest.mark.parametrize("remote, expected", [("203.0.113.50", "203.0.113.50"), ("10.0.0.5", "198.51.100.77")])
def test_failed_login_records_the_real_address_not_the_spoofed_one(settings, village_cadre_a, remote, expected):
    settings.TRUSTED_PROXY_IPS = ["10.0.0.5"]
    client = Client()  # made after the setting, so the request pipeline reads it
    forwarded = "198.51.100.77" if remote == "10.0.0.5" else SPOOFED
    client.post("/accounts/login/", {"username": "cadre_a", "password": "wrong-password"}, REMOTE_ADDR=remote,
                HTTP_X_FORWARDED_FOR=forwarded)
    event = AuditEvent.objects.get(action="user.login_failed")
    assert event.ip_address == expected
    assert event.ip_address != SPOOFED


def test_successful_login_from_a_direct_client_ignores_the_header(settings, village_cadre_a):
    settings.TRUSTED_PROXY_IPS = ["10.0.0.5"]
    client = Client()
    response = client.post("/accounts/login/", {"username": "cadre_a", "password": PASSWORD},
                           REMOTE_ADDR="203.0.113.60", HTTP_X_FORWARDED_FOR=SPOOFED)
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="user.login").ip_address == "203.0.113.60"
