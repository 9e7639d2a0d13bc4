"""Bad input to assignment and availability: generated payloads for claim,
assign, unassign and set_availability, and generated requests to their
endpoints, in the style of tests/test_fuzz.py. Each gets exactly one answer
with the code a small model of the contract predicts, never ``internal`` or
a 5xx, and a refused request leaves the database as it was."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import db
from app.models import Agent
from app.services import tokens
from tests.conftest import database_state
from tests.test_fuzz import (
    CODES,
    FUZZ,
    MAX_INT,
    STATUS_CODE,
    Wire,
    anything,
    nested_deeper_than,
    numbers,
    short_text,
    to_json,
)

MISSING = 10_000
EVENTS = ["claim", "assign", "unassign", "set_availability"]
FIELDS = {
    "claim": ["conversation_id"],
    "assign": ["conversation_id", "agent_id"],
    "unassign": ["conversation_id"],
    "set_availability": ["available"],
}


def check_answer(answers: list, allowed: set[str]) -> dict:
    """One acknowledgement, ok or with one of the protocol's codes (these
    events may answer ``conflict`` too), as the model allows."""
    assert len(answers) == 1 and len(answers[0]) == 1, answers
    ack = answers[0][0]
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
    if ack["ok"]:
        assert "ok" in allowed, f"accepted, but the contract says {allowed}: {ack}"
        return ack
    error = ack.get("error")
    assert isinstance(error, dict) and set(error) == {"code", "message"}, ack
    assert error["code"] in CODES | {"conflict"}, f"answered {error['code']!r}"
    assert error["code"] in allowed, f"answered {error['code']!r}, expected one of {allowed}"
    return ack


def valid_id(value) -> bool:
    return type(value) is int and 1 <= value <= MAX_INT


@pytest.fixture
def desk(app, client, agent, new_visitor, connect):
    """An open and an ended conversation; Tess (enabled) and Ben (disabled)."""
    app.config.update(CHAT_ASSIGN_RATE="1000000 per second")
    app.config.update(CHAT_AVAILABILITY_RATE="1000000 per second")
    ben = Agent(email="ben@example.com", name="Ben", disabled=True)
    ben.set_password("another horse battery")
    db.session.add(ben)
    db.session.commit()
    own, token = new_visitor(name="Ana")
    ended, ended_token = new_visitor(name="Bo")
    response = client.post(
        f"/api/v1/conversations/{ended}/end", headers={"Authorization": f"Bearer {ended_token}"}
    )
    assert response.status_code == 204
    agent_token = tokens.issue_token(agent)
    return {
        "open": own,
        "ended": ended,
        "tess": agent.id,
        "ben": ben.id,
        "token": token,
        "agent_token": agent_token,
        "visitor": connect(visitor_token=token),
        "agent": connect(token=agent_token),
    }


def ids(desk):
    return st.one_of(
        st.sampled_from([desk["open"], desk["ended"], desk["tess"], desk["ben"], MISSING]),
        st.sampled_from([0, -1, MAX_INT + 1]),
    )


def payloads(event: str, desk):
    values = {"conversation_id": ids(desk), "agent_id": ids(desk), "available": st.booleans()}
    names = FIELDS[event]
    base = st.fixed_dictionaries({name: values[name] for name in names})
    change = st.one_of(
        st.tuples(st.just("drop"), st.sampled_from(names), st.none()),
        st.tuples(st.just("set"), st.sampled_from(names), st.one_of(anything, numbers)),
        st.tuples(st.just("add"), short_text, anything),
    )

    def apply(payload, changes):
        payload = dict(payload)
        for kind, name, value in changes:
            if kind == "drop":
                payload.pop(name, None)
            else:
                payload[name] = value
        return payload

    return st.builds(apply, base, st.one_of(st.just([]), st.lists(change, min_size=1, max_size=3)))


def expected(event: str, args: list, role: str, desk) -> set[str]:
    allowed = _expected(event, args, role, desk)
    if nested_deeper_than(args, 100):
        allowed.add("invalid")
    return allowed


def _well_formed(event: str, p: dict) -> bool:
    if event == "set_availability":
        return type(p.get("available")) is bool
    if event == "assign" and not valid_id(p.get("agent_id")):
        return False
    return valid_id(p.get("conversation_id"))


def _expected(event: str, args: list, role: str, desk) -> set[str]:
    if len(args) != 1 or not isinstance(args[0], dict) or not _well_formed(event, args[0]):
        return {"invalid"}
    if role == "visitor":
        return {"forbidden"}
    p = args[0]
    if event == "assign":
        if p["agent_id"] not in (desk["tess"], desk["ben"]):
            return {"not_found"}
        if p["agent_id"] == desk["ben"]:
            return {"invalid"}
    if event == "set_availability":
        return {"ok"}
    if p["conversation_id"] not in (desk["open"], desk["ended"]):
        return {"not_found"}
    return {"conflict"} if p["conversation_id"] == desk["ended"] else {"ok"}


@FUZZ
@given(data=st.data(), role=st.sampled_from(["visitor", "agent"]), event=st.sampled_from(EVENTS))
def test_every_assignment_event_answers_what_the_contract_says(
    desk, monkeypatch, data, role, event
):
    wire = Wire(monkeypatch)
    socket = desk[role]
    one_payload = payloads(event, desk).map(lambda p: [p])
    args = data.draw(st.one_of(one_payload, one_payload, st.lists(anything, max_size=3)))
    allowed = expected(event, args, role, desk)
    before = database_state()

    ack = check_answer(wire.emit(socket, event, args), allowed)

    assert socket.is_connected(), "the connection was dropped"
    if not ack["ok"]:
        assert database_state() == before, "a refused request changed the database"
    socket.get_received()


ROUTES = [
    ("POST", "/api/v1/conversations/{id}/assign"),
    ("GET", "/api/v1/agents"),
    ("PUT", "/api/v1/agents/me/availability"),
    ("DELETE", "/api/v1/agents/me/availability"),
    ("POST", "/api/v1/agents"),
]


@settings(FUZZ, max_examples=400)
@given(data=st.data())
def test_every_assignment_endpoint_answers_4xx_with_a_code_never_5xx(desk, client, data):
    method, template = data.draw(st.sampled_from(ROUTES), label="route")
    conversation_id = data.draw(
        st.one_of(st.sampled_from([desk["open"], desk["ended"], MISSING, 0, MAX_INT + 1]))
    )
    path = template.format(id=conversation_id)
    fields = st.fixed_dictionaries(
        {}, optional={"agent_id": st.one_of(ids(desk), st.none(), anything), "available": anything}
    )
    content = data.draw(
        st.one_of(st.none(), fields.map(to_json), anything.map(to_json), st.binary(max_size=20)),
        label="body",
    )
    authorization = data.draw(
        st.sampled_from([None, desk["agent_token"], desk["token"], "nonsense"]), label="who"
    )
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = f"Bearer {authorization}"
    before = database_state()

    response = client.open(path, method=method, data=content, headers=headers)

    db.session.rollback()
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        error = response.json["error"]
        assert set(error) == {"code", "message"} and error["message"]
        assert error["code"] == {**STATUS_CODE, 409: "conflict"}[response.status_code], error
        assert database_state() == before, "a refused request changed the database"
