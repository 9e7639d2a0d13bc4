"""Schemathesis against a real server: every operation the description
documents, with an admin's API token, must answer as the description says
(status, content type, body schema, headers), never with a 5xx.

The server and its database are this module's own: the run deletes
conversations and changes agents and settings. Examples are derandomized,
so a run is repeatable.
"""

import os
from collections import defaultdict

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config import Config
from tests.harness.credentials import AGENT_EMAIL, AGENT_NAME, AGENT_PASSWORD
from tests.harness.server import ServerProcess

pytestmark = pytest.mark.live

UNLIMITED = "100000 per minute"
# Every rate limit of the server, however many there are.
SERVER_ENV = {
    name: UNLIMITED for name in vars(Config) if name.startswith("CHAT_") and name.endswith("_RATE")
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    ignored_auth,
]
# Operations on agents that would lock the run out if they hit its own admin.
# Enough for CI to stay within a couple of minutes; set more for a deeper run.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"))
SEEDED_CONVERSATIONS = 12
CHANGES_AN_AGENT = {
    ("PATCH", "/admin/agents/{agent_id}"),
    ("POST", "/admin/agents/{agent_id}/password"),
}


class Desk:
    """The run's server: its URL, its admin's id and token, and a second
    agent to aim changes of agents at instead of the admin."""

    def __init__(self, server: ServerProcess):
        self.server = server
        self.api = f"{server.url}/api/v1"
        self.http = requests.Session()
        self.answered: dict[str, set[int]] = defaultdict(set)
        self.token = self.new_token()
        auth = self.bearer(self.token)
        agents = self.http.get(f"{self.api}/admin/agents", headers=auth, timeout=10).json()
        self.admin_id = agents["agents"][0]["id"]
        other = {"email": "other@example.com", "name": "Other", "password": "a long password"}
        answer = self.http.post(f"{self.api}/admin/agents", json=other, headers=auth, timeout=10)
        self.other_id = answer.json()["agent"]["id"]
        self.seed(auth)

    def new_token(self) -> str:
        answer = self.http.post(
            f"{self.api}/tokens", auth=(AGENT_EMAIL, AGENT_PASSWORD), timeout=10
        )
        return answer.json()["token"]

    @staticmethod
    def bearer(token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}

    def seed(self, auth: dict) -> None:
        """Conversations with a note, and a canned response, for cases to act on."""
        conversations = []
        for number in range(SEEDED_CONVERSATIONS):
            started = self.http.post(f"{self.api}/conversations", json={"name": f"V{number}"})
            cid = started.json()["conversation_id"]
            note = {"client_id": f"n{number}", "body": "seen on the pricing page"}
            self.http.post(f"{self.api}/conversations/{cid}/notes", json=note, headers=auth)
            conversations.append(cid)
        self.doomed = conversations[: SEEDED_CONVERSATIONS // 3]
        conversations = conversations[SEEDED_CONVERSATIONS // 3 :]
        canned = {"shortcut": "hello", "body": "Hello! How can I help?"}
        answer = self.http.post(f"{self.api}/canned", json=canned, headers=auth)
        self.existing = {
            "conversation_id": conversations,
            "response_id": [answer.json()["id"]],
            "agent_id": [self.other_id],
        }

    def close(self) -> None:
        self.http.close()


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("openapi-live"), "eventlet", SERVER_ENV)
    server.upgrade_database()
    server.flask(
        "agents",
        "create",
        AGENT_EMAIL,
        "--name",
        AGENT_NAME,
        "--password",
        AGENT_PASSWORD,
        "--admin",
    )
    server.start()
    desk = Desk(server)
    yield desk
    desk.close()
    server.stop()
    log = server.log_path.read_text()
    assert "Traceback (most recent call last):" not in log, log


@pytest.fixture(scope="module")
def api_description(desk):
    return schemathesis.openapi.from_url(f"{desk.api}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_description")


def aim_at_existing(case, desk: Desk) -> None:
    """Turn the even ids of a valid case into ids of seeded things, so that
    operations act on real conversations as well as on missing ones."""
    component = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    if component is None or component.mode != GenerationMode.POSITIVE:
        return
    for name, ids in desk.existing.items():
        if (case.method.upper(), name) == ("DELETE", "conversation_id"):
            ids = desk.doomed  # the others stay for the operations that follow
        value = case.path_parameters.get(name)
        if isinstance(value, int) and value % 2 == 0:
            case.path_parameters[name] = ids[value // 2 % len(ids)]


def negates_headers(case) -> bool:
    """A case that leaves out or spoils the credentials (the only header)."""
    component = case.meta.components.get(ParameterLocation.HEADER) if case.meta else None
    return component is not None and component.mode == GenerationMode.NEGATIVE


def credentials(case, desk: Desk) -> dict:
    """The admin's token (a fresh one to revoke), or the password to get one;
    none where the case is about credentials that are missing or wrong."""
    method, path = case.method.upper(), case.path
    aim_at_existing(case, desk)
    if (method, path) in CHANGES_AN_AGENT and case.path_parameters.get("agent_id") == desk.admin_id:
        case.path_parameters["agent_id"] = desk.other_id
    if negates_headers(case):
        return {}
    if (method, path) == ("POST", "/tokens"):
        return {"auth": (AGENT_EMAIL, AGENT_PASSWORD)}
    token = desk.new_token() if (method, path) == ("DELETE", "/tokens") else desk.token
    return {"headers": desk.bearer(token)}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_answer_is_as_described(case, desk):
    response = case.call_and_validate(
        base_url=desk.api, checks=CHECKS, timeout=10, **credentials(case, desk)
    )
    if case.method.upper() == case.operation.method.upper():  # not an undocumented method
        desk.answered[f"{case.method.upper()} {case.path}"].add(response.status_code)


def test_the_run_reached_past_the_refusals(desk):
    """Most operations succeeded at least once: the token worked and cases
    reached real conversations (the run above goes first, in file order)."""
    if not desk.answered:
        pytest.skip("runs after test_every_answer_is_as_described")
    succeeded = [
        label for label, statuses in desk.answered.items() if any(s < 300 for s in statuses)
    ]
    assert len(succeeded) >= 20, dict(desk.answered)
