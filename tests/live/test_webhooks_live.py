"""Webhooks from real server processes: two processes on one database send
each event once, and deliveries pending when both are killed go out after a
restart. The receiver is a real HTTP server on a loopback port."""

import json
import time

import pytest
import requests

from tests.harness.credentials import AGENT_PASSWORD
from tests.harness.server import ServerProcess
from tests.harness.webhook_receiver import webhook_receiver
from tests.live.conftest import SERVER_ENV

pytestmark = pytest.mark.live

ADMIN = "ada-webhooks@example.com"
ENV = {
    **SERVER_ENV,
    "CHAT_OUTBOX_INTERVAL": "0.1",
    "CHAT_OUTBOX_BACKOFF": "0.2",
    "CHAT_OUTBOX_MAX_BACKOFF": "0.5",
    "CHAT_OUTBOX_MAX_ATTEMPTS": "1000",
    # A job held by a killed process is taken again after this long.
    "CHAT_OUTBOX_LEASE": "2",
}


def admin_api(process: ServerProcess) -> requests.Session:
    """An HTTP session with an admin's API token."""
    token = requests.post(f"{process.url}/api/v1/tokens", auth=(ADMIN, AGENT_PASSWORD), timeout=10)
    token.raise_for_status()
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token.json()['token']}"
    return http


def start_chats(process: ServerProcess, names: list[str]) -> None:
    for name in names:
        response = requests.post(
            f"{process.url}/api/v1/conversations", json={"name": name}, timeout=10
        )
        assert response.status_code == 201, response.text


def delivered_names(requests_seen) -> list[str]:
    return [json.loads(r.body)["data"]["conversation"]["visitor"]["name"] for r in requests_seen]


def wait_until(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_two_processes_deliver_once_and_a_restart_loses_nothing(tmp_path_factory):
    first = ServerProcess(tmp_path_factory.mktemp("hooks-a"), env=ENV)
    second = ServerProcess(
        tmp_path_factory.mktemp("hooks-b"), env=ENV, database_url=first.database_url
    )
    first.upgrade_database()
    first.flask("agents", "create", ADMIN, "--name", "Ada", "--password", AGENT_PASSWORD, "--admin")
    with webhook_receiver() as receiver:
        try:
            first.start()
            second.start()
            http = admin_api(first)
            http.patch(f"{first.url}/api/v1/settings", json={"webhooks_allow_private": True})
            hook = {"url": receiver.url, "events": ["conversation.created"]}
            assert http.post(f"{first.url}/api/v1/admin/webhooks", json=hook).status_code == 201

            # Both processes record events and run their outbox loops.
            names = [f"Visitor {n}" for n in range(40)]
            start_chats(first, names[::2])
            start_chats(second, names[1::2])
            wait_until(lambda: len(receiver.requests) >= 40)
            time.sleep(1)  # any second delivery would come now
            assert sorted(delivered_names(receiver.requests)) == sorted(names)
            assert len(set(receiver.ids())) == len(receiver.ids()) == 40

            # The receiver fails; both processes die with deliveries pending.
            receiver.mode = "fail"
            later = [f"Later {n}" for n in range(5)]
            start_chats(first, later)
            wait_until(lambda: len(receiver.requests) >= 45)
            first.kill()
            second.kill()
            receiver.mode = "ok"
            answered_from = len(receiver.requests)

            first.start()
            wait_until(
                lambda: set(later) <= set(delivered_names(receiver.requests[answered_from:]))
            )
        finally:
            first.stop()
            second.stop()
    first.assert_clean_log()
    second.assert_clean_log()
