"""Bad input for the desk's events and endpoints (resolve, reopen, snooze,
add_note), in the style of tests/test_fuzz.py: each gets exactly one answer
with the code a small model of docs/protocol.md predicts, never
``internal`` or a 5xx, and a refused request changes nothing stored."""

import urllib.parse
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from app import db
from app.models import Activity
from app.services import bodies
from tests.conftest import database_state
from tests.test_fuzz import (  # noqa: F401 (fixtures)
    FUZZ,
    MISSING,
    STATUS_CODE,
    Wire,
    anything,
    body,
    check_answer,
    conversation,
    credentials,
    fuzz_app,
    nested_deeper_than,
    numbers,
    short_text,
    texts,
    to_json,
    valid_id,
    valid_text,
)

EVENTS = ["resolve", "reopen", "snooze", "add_note"]
FIELDS = {"resolve": [], "reopen": [], "snooze": ["until"], "add_note": ["client_id", "body"]}
# Far from the edges (now, 90 days ahead), so that the model and the server
# agree however long a run takes.
OFFSETS = [timedelta(hours=-1), timedelta(hours=1), timedelta(days=89), timedelta(days=91)]


@pytest.fixture
def desk(request):
    """tests/test_fuzz.py's two conversations and sockets, with room to act."""
    request.getfixturevalue("fuzz_app").config["CHAT_DESK_RATE"] = "1000000 per second"
    return request.getfixturevalue("conversation")


def everything_stored():
    """Messages, conversations and activity lines, as plain rows."""
    lines = db.session.execute(sa.select(Activity.__table__).order_by(Activity.id)).all()
    return database_state(), lines


def times():
    """Values for ``until``: times near and far, with and without an offset."""
    relative = st.builds(
        lambda offset, zone: (datetime.now(UTC) + offset).astimezone(zone).isoformat(),
        st.sampled_from(OFFSETS),
        st.sampled_from([UTC, datetime.now().astimezone().tzinfo]),
    )
    odd = st.sampled_from(
        [
            "2026-01-01T09:00:00",
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00+14:00",
            "tomorrow",
            "",
            "2" * 41,
        ]
    )
    return st.one_of(relative, relative, odd, texts, anything)


def field(name: str):
    printable = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    client_id = st.text(printable, min_size=1, max_size=64)
    return {
        "until": times(),
        "client_id": st.one_of(client_id, st.text(max_size=70)),
        "body": st.one_of(st.text(printable, min_size=1, max_size=30), texts),
    }[name]


def payloads(event: str, conversation_ids):
    names = FIELDS[event]
    all_names = names + ["conversation_id"]
    base = st.fixed_dictionaries(
        {"conversation_id": st.one_of(conversation_ids, st.none()), **{n: field(n) for n in names}}
    )
    change = st.one_of(
        st.tuples(st.just("drop"), st.sampled_from(all_names), st.none()),
        st.tuples(
            st.just("set"),
            st.sampled_from(names + ["conversation_id"]),
            st.one_of(anything, numbers),
        ),
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

    one = st.builds(apply, base, st.one_of(st.just([]), st.lists(change, min_size=1, max_size=2)))
    return st.one_of(one.map(lambda p: [p]), one.map(lambda p: [p]), st.lists(anything, max_size=3))


def moment(value) -> datetime | None:
    """The time the server reads from ``until``, or None when it is not one."""
    if not valid_text(value) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def in_range(value: datetime) -> bool:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        return False
    now = datetime.now(UTC)
    return now < utc <= now + timedelta(days=90)


def expected(event: str, args: list, role: str, existing: set) -> set[str]:
    allowed = _expected(event, args, role, existing)
    if nested_deeper_than(args, 100):
        allowed.add("invalid")
    return allowed


def _expected(event: str, args: list, role: str, existing: set) -> set[str]:
    if len(args) != 1 or not isinstance(args[0], dict):
        return {"invalid"}
    p = args[0]
    if not valid_id(p.get("conversation_id")):
        return {"invalid"}
    if event == "snooze":
        errors = snooze_errors(p.get("until"))
    elif event == "add_note":
        errors = note_errors(p.get("client_id"), p.get("body"))
    else:
        errors = set()
    if "malformed" in errors:
        return {"invalid"}
    if role == "visitor":
        return {"forbidden"}
    if p["conversation_id"] not in existing:
        errors.add("not_found")
    return errors or {"ok"}


def snooze_errors(until) -> set[str]:
    """ "malformed" (refused by the schema), "invalid" (out of range) or none."""
    when = moment(until)
    if when is None:
        return {"malformed"}
    return set() if in_range(when) else {"invalid"}


def note_errors(client_id, body) -> set[str]:
    if not (valid_text(client_id) and 1 <= len(client_id) <= 64 and valid_text(body)):
        return {"malformed"}
    text = bodies.trim(body)
    if bodies.length(text) > 5000:
        return {"too_large"}
    return {"invalid"} if bodies.is_blank(text) else set()


@FUZZ
@given(data=st.data(), role=st.sampled_from(["visitor", "agent"]), event=st.sampled_from(EVENTS))
def test_every_desk_event_answers_what_the_contract_says(desk, monkeypatch, data, role, event):
    wire = Wire(monkeypatch)
    socket = desk[role]
    ids = st.sampled_from([desk["own"], desk["other"], MISSING])
    args = data.draw(payloads(event, ids), label="args")
    allowed = expected(event, args, role, {desk["own"], desk["other"]})
    db.session.rollback()
    before = everything_stored()

    ack = check_answer(wire.emit(socket, event, args), allowed)

    assert socket.is_connected(), "the connection was dropped"
    db.session.rollback()
    if not ack["ok"]:
        assert everything_stored() == before, "a refused request changed the database"
    socket.get_received()


ROUTES = ["resolve", "reopen", "snooze", "notes"]


@FUZZ
@given(data=st.data())
def test_every_desk_endpoint_answers_4xx_with_a_code_never_5xx(desk, client, agent_token, data):
    ids = [desk["own"], desk["other"], MISSING, 0]
    path = "/api/v1/conversations/{id}/{route}".format(
        id=data.draw(st.one_of(st.sampled_from(ids), st.sampled_from(["abc", "-1"]))),
        route=urllib.parse.quote(data.draw(st.sampled_from(ROUTES))),
    )
    method = data.draw(st.sampled_from(["POST", "POST", "POST", "GET", "PUT"]))
    fields = st.fixed_dictionaries(
        {},
        optional={"until": times(), "client_id": field("client_id"), "body": field("body")},
    )
    json_type = st.just("application/json")
    content, content_type = data.draw(
        st.one_of(body(), st.tuples(fields.map(to_json), json_type)), label="body"
    )
    headers = {}
    authorization = data.draw(credentials(desk, agent_token), label="authorization")
    if authorization is not None:
        headers["Authorization"] = authorization
    if content_type is not None:
        headers["Content-Type"] = content_type
    db.session.rollback()
    before = everything_stored()

    response = client.open(path, method=method, data=content, headers=headers)

    db.session.rollback()
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        error = response.json["error"]
        assert set(error) == {"code", "message"} and error["message"]
        assert error["code"] == STATUS_CODE[response.status_code], error
        assert everything_stored() == before, "a refused request changed the database"


@settings(FUZZ, max_examples=100)
@given(until=times())
def test_api_snooze_reads_until_as_the_socket_event_does(desk, client, agent_token, until):
    path = f"/api/v1/conversations/{desk['own']}/snooze"
    payload = {"conversation_id": desk["own"], "until": until}
    allowed = _expected("snooze", [payload], "agent", {desk["own"]})
    content = to_json({"until": until})
    if len(content.encode("utf-8", "surrogatepass")) > 64 * 1024:
        allowed.add("too_large")  # MAX_CONTENT_LENGTH

    response = client.post(
        path,
        data=content,
        headers={"Authorization": f"Bearer {agent_token}", "Content-Type": "application/json"},
    )

    db.session.rollback()
    outcome = "ok" if response.status_code == 200 else STATUS_CODE.get(response.status_code)
    if nested_deeper_than(until, 100):
        allowed.add("invalid")
    assert outcome in allowed, (until, response.json)
