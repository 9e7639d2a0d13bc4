"""Bad input, everywhere: generated payloads for every event and endpoint.

Hypothesis sends arbitrary payloads to every Socket.IO event (and to names
outside the protocol) and arbitrary requests to every HTTP endpoint: wrong
types, missing and extra fields, huge strings, deep nesting, control
characters, lone surrogates (what invalid UTF-8 becomes once a client has
escaped it in JSON), negative and huge numbers. Each gets exactly one
answer with the code a small model of the contract predicts, never
``internal`` or a 5xx; the socket stays connected; and a refused request
leaves the database as it was.

Packets are written by hand with the standard library's JSON (as any client
may write them), so values the server's own encoder refuses can be sent.
"""

import json
import urllib.parse
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask.testing import EnvironBuilder
from flask_socketio.test_client import SocketIOTestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from socketio import packet

from app import db, socketio
from app.models import Conversation
from app.services import bodies
from tests.conftest import database_state

MAX_INT = 2**31 - 1
MISSING = 10_000  # a conversation id nobody has
EVENTS = ["send_message", "typing", "receipt", "history", "join", "leave"]
ODD_EVENTS = ["message", "json", "connect", "disconnect", "connect_error", "*", "", "\ud800"]
FIELDS = {
    "send_message": ["client_id", "body"],
    "typing": ["is_typing"],
    "receipt": ["status", "up_to_seq"],
    "history": ["before_seq", "after_seq", "limit"],
    "join": [],
    "leave": [],
}
CODES = {"unauthorized", "forbidden", "not_found", "invalid", "too_large", "rate_limited"}
STATUS_CODE = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "invalid",
    409: "conflict",
    413: "too_large",
    415: "invalid",
    429: "rate_limited",
}

FUZZ = settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


# --- values -------------------------------------------------------------------


@dataclass(frozen=True)
class Deep:
    """Arrays nested ``depth`` levels deep (written by hand: json.dumps recurses)."""

    depth: int


def to_json(value) -> str:
    if isinstance(value, Deep):
        return "[" * value.depth + "]" * value.depth
    if isinstance(value, dict):
        items = (f"{json.dumps(key)}:{to_json(item)}" for key, item in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(to_json(item) for item in value) + "]"
    return json.dumps(value)


LONE_SURROGATES = ["\ud800", "Hi \udfff there"]
ODD_CHARACTERS = ["\x00", "\x01", "\x1b", "\x7f", "\u0085", "\u200b", "\u202e", "\ufeff"]
ODD_CHARACTERS += ["\u2028", "\ud800", "\udfff", "\U0001f600", " ", "\t", "\n", "\r"]
characters = st.one_of(
    st.characters(exclude_categories=()),  # every code point, surrogates included
    st.sampled_from(ODD_CHARACTERS),
)
short_text = st.text(characters, max_size=20)
long_text = st.builds(
    lambda piece, count: piece * count,
    st.sampled_from(["x", " ", "é", "\U0001f600", "\x00", "\n"]),
    st.sampled_from([64, 65, 4999, 5000, 5001, 20_000]),
)
texts = st.one_of(short_text, long_text, st.sampled_from(["", " ", "seen", "delivered"]))
numbers = st.one_of(
    st.integers(-3, 12),
    st.sampled_from([MAX_INT, MAX_INT + 1, 2**53, -(2**31), 10**30, -(10**30)]),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(short_text, children, max_size=3),
    ),
    max_leaves=8,
)
deep = st.one_of(st.integers(2, 50), st.sampled_from([999, 1000, 2000, 5000])).map(Deep)
anything = st.one_of(json_values, deep)


def field(name: str, conversation_ids):
    """Values for one field: plausible ones, near the edges of what is allowed."""
    printable = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    client_id = st.text(printable, min_size=1, max_size=64)
    body = st.text(printable, min_size=1, max_size=30)
    return {
        "client_id": st.one_of(client_id, client_id, st.text(characters, max_size=70)),
        "body": st.one_of(body, body, texts),
        "is_typing": st.booleans(),
        "status": st.sampled_from(["delivered", "seen", "seen", "read", "SEEN"]),
        "up_to_seq": st.integers(-1, 6),
        "before_seq": st.one_of(st.none(), st.integers(-1, 8)),
        "after_seq": st.one_of(st.none(), st.integers(-1, 8)),
        "limit": st.one_of(st.integers(1, 100), st.integers(-1, 102)),
        "conversation_id": st.one_of(conversation_ids, st.none()),
    }[name]


def payloads(event: str, conversation_ids):
    """A well-formed payload, then up to three changes: a field dropped, a
    field set to anything at all, an unknown field added."""
    names = FIELDS.get(event, ["body"]) + ["conversation_id"]
    base = st.fixed_dictionaries({name: field(name, conversation_ids) for name in names})
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


def arguments(event: str, conversation_ids):
    """The event's arguments: mostly one payload object, sometimes anything."""
    one_payload = payloads(event, conversation_ids).map(lambda p: [p])
    return st.one_of(one_payload, one_payload, one_payload, st.lists(anything, max_size=3))


# --- the model ----------------------------------------------------------------


def is_int(value) -> bool:
    return type(value) is int


def valid_id(value) -> bool:
    return is_int(value) and 1 <= value <= MAX_INT


def valid_seq(value) -> bool:
    return is_int(value) and 0 <= value <= MAX_INT


def valid_text(value) -> bool:
    """A string a database can hold: no NUL, no lone surrogate."""
    return (
        isinstance(value, str)
        and "\x00" not in value
        and not any("\ud800" <= c <= "\udfff" for c in value)
    )


def well_formed(event: str, p: dict) -> bool:
    """Whether the payload has the types and ranges the contract asks."""
    if p.get("conversation_id") is not None and not valid_id(p["conversation_id"]):
        return False
    if event == "send_message":
        client_id = p.get("client_id")
        return valid_text(client_id) and 1 <= len(client_id) <= 64 and valid_text(p.get("body"))
    if event == "typing":
        return type(p.get("is_typing")) is bool
    if event == "receipt":
        status = p.get("status")
        return (
            isinstance(status, str)
            and status in ("delivered", "seen")
            and valid_seq(p.get("up_to_seq", -1))
        )
    if event == "history":
        for name in ("before_seq", "after_seq"):
            if p.get(name) is not None and not valid_seq(p[name]):
                return False
        if "limit" in p and not (is_int(p["limit"]) and 1 <= p["limit"] <= 100):
            return False
        return p.get("before_seq") is None or p.get("after_seq") is None
    return valid_id(p.get("conversation_id"))  # join, leave


@dataclass
class World:
    """What the model needs to know about the stored conversations."""

    own: int  # the visitor's conversation
    last_seq: dict  # conversation id -> last seq


def nested_deeper_than(value, depth: int) -> bool:
    if isinstance(value, Deep):
        return value.depth > depth
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return any(nested_deeper_than(item, depth - 1) for item in value)
    return False


def expected(event: str, args: list, role: str, world: World) -> set[str]:
    """The answers the contract allows: {"ok"} or the possible error codes.

    No payload of the protocol nests more than two levels, so a server may
    refuse anything nested a hundred levels deep as ``invalid``, whole.
    """
    allowed = _expected(event, args, role, world)
    if nested_deeper_than(args, 100):
        allowed.add("invalid")
    return allowed


def _expected(event: str, args: list, role: str, world: World) -> set[str]:
    if event not in EVENTS or len(args) != 1 or not isinstance(args[0], dict):
        return {"invalid"}
    p = args[0]
    if not well_formed(event, p):
        return {"invalid"}
    if event in ("join", "leave") and role == "visitor":
        return {"forbidden"}
    cid = p.get("conversation_id") if role == "agent" else world.own
    if cid is None:
        return {"invalid"}  # an agent must name the conversation
    exists = cid in world.last_seq
    errors = set()
    if event == "send_message":
        # The rules of docs/protocol.md, "Message bodies".
        body = bodies.trim(p["body"])
        if bodies.length(body) > 5000:
            errors.add("too_large")
        elif bodies.is_blank(body):
            errors.add("invalid")
    if not exists and event != "leave":
        errors.add("not_found")
    elif event == "receipt" and p["up_to_seq"] > world.last_seq[cid]:
        errors.add("invalid")
    return errors or {"ok"}


# --- the server ---------------------------------------------------------------


def world(own: int) -> World:
    db.session.rollback()
    rows = db.session.execute(sa.select(Conversation.id, Conversation.last_seq)).all()
    return World(own, dict(rows))


class Wire:
    """Sends hand-written packets through a Socket.IO test client and
    counts the acknowledgements the server sends for each."""

    def __init__(self, monkeypatch):
        self.acks: dict = {}
        send = socketio.server._send_packet

        def counting(eio_sid, pkt):
            if pkt.packet_type == packet.ACK:
                self.acks.setdefault((eio_sid, pkt.id), []).append(pkt.data)
            return send(eio_sid, pkt)

        monkeypatch.setattr(socketio.server, "_send_packet", counting)

    def emit(self, socket, event: str, args: list):
        """Emit ``event`` with ``args`` and an ack id; returns the list of answers."""
        socket.callback_counter += 1
        ack_id = socket.callback_counter
        text = f"2{ack_id}" + to_json([event, *args])
        socketio.server._handle_eio_message(socket.eio_sid, text)
        return self.acks.pop((socket.eio_sid, ack_id), [])


@pytest.fixture
def fuzz_app(app):
    app.config.update(
        CHAT_MESSAGE_RATE="1000000 per second",
        CHAT_TYPING_RATE="1000000 per second",
        CHAT_HISTORY_RATE="1000000 per second",
        CHAT_JOIN_RATE="1000000 per second",
        # No typing state ends by itself while the database is compared.
        CHAT_TYPING_TIMEOUT=3600,
    )
    return app


@pytest.fixture
def conversation(fuzz_app, client, new_visitor, connect, agent_token):
    """Two conversations with messages; a visitor socket and an agent socket."""
    own, token = new_visitor(name="Ana")
    other, _ = new_visitor(name="Bo")
    visitor = connect(visitor_token=token)
    agent = connect(token=agent_token)
    for n in range(2):
        assert visitor.emit("send_message", {"client_id": f"v{n}", "body": "Hi"}, callback=True)
        reply = {"conversation_id": own, "client_id": f"a{n}", "body": "Hello"}
        assert agent.emit("send_message", reply, callback=True)["ok"]
    return {"own": own, "other": other, "token": token, "visitor": visitor, "agent": agent}


def check_answer(answers: list, allowed: set[str]):
    assert len(answers) == 1, f"{len(answers)} answers: {answers}"
    assert len(answers[0]) == 1, answers
    ack = answers[0][0]
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
    if ack["ok"]:
        assert "ok" in allowed, f"accepted, but the contract says {allowed}: {ack}"
        return ack
    error = ack.get("error")
    assert isinstance(error, dict) and set(error) == {"code", "message"}, ack
    assert error["code"] in CODES, f"answered {error['code']!r}: {error['message']}"
    assert error["code"] in allowed, f"answered {error['code']!r}, expected one of {allowed}"
    assert isinstance(error["message"], str) and error["message"]
    return ack


# --- Socket.IO ----------------------------------------------------------------


def fuzz_event(conversation, monkeypatch, data, role, event):
    wire = Wire(monkeypatch)
    socket = conversation[role]
    ids = st.sampled_from([conversation["own"], conversation["other"], MISSING])
    args = data.draw(arguments(event, ids), label="args")
    state = world(conversation["own"])
    allowed = expected(event, args, role, state)
    before = database_state()

    ack = check_answer(wire.emit(socket, event, args), allowed)

    assert socket.is_connected(), "the connection was dropped"
    if not ack["ok"]:
        assert database_state() == before, "a refused request changed the database"
    socket.get_received()


@FUZZ
@given(data=st.data(), role=st.sampled_from(["visitor", "agent"]), event=st.sampled_from(EVENTS))
def test_every_event_answers_what_the_contract_says(conversation, monkeypatch, data, role, event):
    fuzz_event(conversation, monkeypatch, data, role, event)


@settings(FUZZ, max_examples=150)
@given(
    data=st.data(),
    role=st.sampled_from(["visitor", "agent"]),
    event=st.one_of(st.sampled_from(ODD_EVENTS), short_text),
)
def test_events_outside_the_protocol_are_invalid(conversation, monkeypatch, data, role, event):
    if event in EVENTS:
        return
    fuzz_event(conversation, monkeypatch, data, role, event)


class RawConnect(SocketIOTestClient):
    """A test client whose CONNECT packet carries ``auth`` written by hand."""

    def __init__(self, app, auth):
        self.raw_auth = to_json(auth)
        super().__init__(app, socketio)

    def connect(self, namespace=None, query_string=None, headers=None, auth=None):
        environ = EnvironBuilder(self.app, path="/socket.io").get_environ()
        environ["flask.app"] = self.app
        self.socketio.server._handle_eio_connect(self.eio_sid, environ)
        self.socketio.server._handle_eio_message(self.eio_sid, "0" + self.raw_auth)
        if self.socketio.server.manager.sid_from_eio_sid(self.eio_sid, "/"):
            self.connected["/"] = True


@settings(FUZZ, max_examples=300)
@given(data=st.data())
def test_connecting_with_any_auth_connects_or_refuses_cleanly(
    fuzz_app, conversation, agent_token, data
):
    visitor_token = st.one_of(st.just(conversation["token"]), anything)
    token = st.one_of(st.just(agent_token), anything)
    page_url = st.one_of(texts, anything)
    auth = data.draw(
        st.one_of(
            anything,
            st.fixed_dictionaries(
                {}, optional={"visitor_token": visitor_token, "token": token, "page_url": page_url}
            ),
        ),
        label="auth",
    )
    if isinstance(auth, int | float) and not isinstance(auth, bool) and to_json(auth)[0].isdigit():
        return  # "0" then digits reads as an ack id: no client can send that
    as_visitor = isinstance(auth, dict) and auth.get("visitor_token") == conversation["token"]
    as_agent = (
        isinstance(auth, dict) and "visitor_token" not in auth and auth.get("token") == agent_token
    )
    before = database_state()

    socket = RawConnect(fuzz_app, auth)

    if (as_visitor or as_agent) and not nested_deeper_than(auth, 100):
        assert socket.is_connected(), "refused"
        socket.disconnect()
        return
    if socket.is_connected():
        assert as_visitor or as_agent, "accepted"
        socket.disconnect()
        return
    assert database_state() == before, "a refused connection changed the database"


# --- HTTP ---------------------------------------------------------------------


PATHS = [
    "/api/v1/conversations",
    "/api/v1/conversations/{id}",
    "/api/v1/conversations/{id}/messages",
    "/api/v1/conversations/{id}/end",
    "/api/v1/conversations/{id}/transcript",
    "/api/v1/tokens",
    "/api/v1/canned",
    "/api/v1/canned/{id}",
    "/api/v1/{text}",
]
METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD"]
ROUTES = [
    ("POST", "/api/v1/conversations"),
    ("GET", "/api/v1/conversations"),
    ("GET", "/api/v1/conversations/{id}/messages"),
    ("POST", "/api/v1/conversations/{id}/end"),
    ("DELETE", "/api/v1/conversations/{id}"),
    ("GET", "/api/v1/conversations/{id}/transcript"),
    ("POST", "/api/v1/tokens"),
    ("DELETE", "/api/v1/tokens"),
    ("GET", "/api/v1/canned"),
    ("POST", "/api/v1/canned"),
    ("PATCH", "/api/v1/canned/{id}"),
    ("DELETE", "/api/v1/canned/{id}"),
]
QUERY_NAMES = ["limit", "before_seq", "after_seq", "x"]


def query_value():
    """A query value as bytes, sent percent-encoded (any bytes, UTF-8 or not)."""
    return st.one_of(
        st.sampled_from([b"", b"0", b"1", b"50", b"100", b"101", b"200", b"201", b"-1"]),
        st.sampled_from([b"2147483647", b"2147483648", b"9" * 17, b"1e3", b"0x10", b" 1"]),
        st.text(characters, max_size=5).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.binary(max_size=5),
    )


def body():
    """A request body and its content type."""
    details = st.fixed_dictionaries(
        {},
        optional={
            "name": st.one_of(texts, anything),
            "email": texts,
            "page_url": st.one_of(texts, st.sampled_from(LONE_SURROGATES)),
            "shortcut": st.one_of(texts, anything),
            "body": st.one_of(texts, anything),
        },
    )
    json_type = st.just("application/json")
    return st.one_of(
        st.tuples(st.none(), st.none()),
        st.tuples(details.map(to_json), json_type),
        st.tuples(st.sampled_from([Deep(999), Deep(5000)]).map(to_json), json_type),
        st.tuples(anything.map(to_json), st.just("application/json")),
        st.tuples(anything.map(to_json), st.sampled_from(["text/plain", None])),
        st.tuples(st.binary(max_size=40), st.just("application/json")),
        st.tuples(st.sampled_from([b"x" * 70_000]), st.just("application/json")),
    )


def credentials(conversation, agent_token):
    import base64

    def basic(user, password):
        raw = f"{user}:{password}".encode("latin-1", "replace")
        return "Basic " + base64.b64encode(raw).decode()

    from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD

    header_text = st.text(st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=30)
    return st.one_of(
        st.none(),
        st.just(f"Bearer {agent_token}"),
        st.just(f"Bearer {conversation['token']}"),
        st.just(basic(AGENT_EMAIL, AGENT_PASSWORD)),
        st.builds(basic, header_text, header_text),
        header_text.map(lambda t: "Bearer " + t),
        header_text,
    )


def expected_query(path_kind: str, raw: dict[str, bytes]) -> str:
    """The answer GET messages or the inbox gives for its query: "ok" or "invalid"."""
    values = {name: value.decode("utf-8", "replace") for name, value in raw.items()}
    numbers = {}
    names = ("limit",) if path_kind == "inbox" else ("before_seq", "after_seq", "limit")
    for name in names:
        if name not in values:
            continue
        value = values[name]
        if not (value.isascii() and value.isdigit() and len(value) <= 16):
            return "invalid"
        numbers[name] = int(value)
    if path_kind == "inbox":
        return "ok" if 1 <= numbers.get("limit", 50) <= 200 else "invalid"
    if numbers.get("limit", 50) not in range(1, 101):
        return "invalid"
    if any(numbers.get(n, 0) > MAX_INT for n in ("before_seq", "after_seq")):
        return "invalid"
    if "before_seq" in numbers and "after_seq" in numbers:
        return "invalid"
    return "ok"


@FUZZ
@given(data=st.data())
def test_every_endpoint_answers_4xx_with_a_code_never_5xx(conversation, client, agent_token, data):
    ids = [conversation["own"], conversation["other"], MISSING, 0, MAX_INT + 1]
    route = st.sampled_from(ROUTES)
    method, template = data.draw(
        st.one_of(route, route, route, st.tuples(st.sampled_from(METHODS), st.sampled_from(PATHS))),
        label="route",
    )
    path = template.format(
        id=data.draw(st.one_of(st.sampled_from(ids), st.sampled_from(["abc", "-1", "1.0"]))),
        text=urllib.parse.quote(data.draw(short_text).encode("utf-8", "surrogatepass")),
    )
    query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), query_value(), max_size=3))
    query_string = "&".join(f"{k}={urllib.parse.quote_from_bytes(v)}" for k, v in query.items())
    content, content_type = data.draw(body(), label="body")
    headers = {}
    authorization = data.draw(credentials(conversation, agent_token), label="authorization")
    if authorization is not None:
        headers["Authorization"] = authorization
    if content_type is not None:
        headers["Content-Type"] = content_type
    before = database_state()

    response = client.open(
        path, method=method, query_string=query_string, data=content, headers=headers
    )

    db.session.rollback()  # the test client shares the session with this test
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if method == "HEAD":
        return
    if response.status_code >= 400:
        assert response.is_json, response.data[:200]
        error = response.json["error"]
        assert set(error) == {"code", "message"} and error["message"]
        assert error["code"] == STATUS_CODE[response.status_code], error
        assert database_state() == before, "a refused request changed the database"
    if method == "GET":
        assert database_state() == before, "a GET changed the database"


@settings(FUZZ, max_examples=300)
@given(
    kind=st.sampled_from(["inbox", "messages"]),
    query=st.dictionaries(st.sampled_from(QUERY_NAMES), query_value(), max_size=3),
)
def test_history_and_inbox_queries_are_read_as_the_contract_says(
    conversation, client, agent_token, kind, query
):
    path = "/api/v1/conversations"
    if kind == "messages":
        path += f"/{conversation['own']}/messages"
    query_string = "&".join(f"{k}={urllib.parse.quote_from_bytes(v)}" for k, v in query.items())

    response = client.get(
        path, query_string=query_string, headers={"Authorization": f"Bearer {agent_token}"}
    )

    db.session.rollback()
    outcome = "ok" if response.status_code == 200 else STATUS_CODE.get(response.status_code)
    assert outcome == expected_query(kind, query), (query, response.json)


def expected_new_conversation(content, content_type) -> set[int]:
    """The statuses ``POST /api/v1/conversations`` may answer for a body.

    Names and emails are stored trimmed; whether their length is measured
    before or after trimming is the server's choice.
    """
    if content is None or content == b"" or content == "":
        return {201}
    raw = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    if len(raw) > 64 * 1024:
        return {413}
    details = json_object(raw) if content_type == "application/json" else None
    if details is None:
        return {400}
    return expected_for_details(details)


def json_object(raw: bytes) -> dict | None:
    """The body as a JSON object; None if it is anything else."""
    try:
        details = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return details if isinstance(details, dict) else None


def expected_for_details(details: dict) -> set[int]:
    """The statuses the fields of a new conversation's JSON object allow."""
    allowed = {201}
    limits = {"name": 100, "email": 254, "page_url": 2048}
    for name, limit in limits.items():
        value = details.get(name)
        if value is None:
            continue
        if not valid_text(value):
            return {400}
        trimmed = value if name == "page_url" else value.strip()
        if len(trimmed) > limit:
            return {400}
        if len(value) > limit:
            allowed.add(400)
    return allowed


@settings(FUZZ, max_examples=300)
@given(request=body())
def test_new_conversation_bodies_answer_as_the_contract_says(fuzz_app, client, request):
    content, content_type = request
    headers = {"Content-Type": content_type} if content_type else {}
    before = database_state()

    response = client.post("/api/v1/conversations", data=content, headers=headers)

    db.session.rollback()
    assert response.status_code in expected_new_conversation(content, content_type), (
        response.status_code,
        response.data[:300],
    )
    if response.status_code != 201:
        assert response.json["error"]["code"] == STATUS_CODE[response.status_code]
        assert database_state() == before


# --- what the generators found ------------------------------------------------


@pytest.mark.parametrize("text", LONE_SURROGATES)
@pytest.mark.parametrize("field_name", ["body", "client_id"])
def test_lone_surrogate_in_a_message_is_invalid(conversation, monkeypatch, text, field_name):
    wire = Wire(monkeypatch)
    payload = {"client_id": "c-x", "body": "Hi", field_name: text}
    before = database_state()

    answers = wire.emit(conversation["visitor"], "send_message", [payload])

    check_answer(answers, {"invalid"})
    assert database_state() == before


@pytest.mark.parametrize("text", LONE_SURROGATES)
def test_lone_surrogate_in_a_new_conversation_is_invalid(fuzz_app, client, text):
    before = database_state()

    response = client.post(
        "/api/v1/conversations",
        data=json.dumps({"page_url": text}),
        content_type="application/json",
    )

    db.session.rollback()
    assert response.status_code == 400, response.data
    assert response.json["error"]["code"] == "invalid"
    assert database_state() == before


def test_lone_surrogate_in_the_page_url_of_a_connect_is_ignored(fuzz_app, new_visitor):
    own, token = new_visitor(name="Ana")

    socket = RawConnect(fuzz_app, {"visitor_token": token, "page_url": "\ud800"})

    assert socket.is_connected()
    socket.disconnect()
    db.session.rollback()
    assert db.session.get(Conversation, own).page_url is None


@pytest.mark.parametrize("event", ["send_message", "history", "nope"])
def test_deeply_nested_payload_is_answered_invalid(conversation, monkeypatch, event):
    wire = Wire(monkeypatch)

    answers = wire.emit(conversation["visitor"], event, [{"body": Deep(5000)}])

    check_answer(answers, {"invalid"})
    assert conversation["visitor"].is_connected()


@pytest.mark.parametrize(
    "arguments",
    [
        '{"limit": ' + "9" * 5000 + "}",  # Python reads at most 4,300 digits
        '{"limit": -' + "1" * 4301 + "}",
        '{"limit": 5',  # not JSON
    ],
    ids=["5000 digits", "4301 digits", "cut short"],
)
@pytest.mark.parametrize("event", ["history", "nope"])
def test_payload_that_cannot_be_read_is_answered_invalid(conversation, event, arguments):
    acks = {}
    send = socketio.server._send_packet
    socket = conversation["visitor"]

    def keep_acks(eio_sid, pkt):
        if pkt.packet_type == packet.ACK:
            acks.setdefault(pkt.id, []).append(pkt.data)
        return send(eio_sid, pkt)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socketio.server, "_send_packet", keep_acks)
        socketio.server._handle_eio_message(socket.eio_sid, f'27["{event}",{arguments}]')

    check_answer(acks.get(7, []), {"invalid"})
    assert socket.is_connected()


def test_deeply_nested_request_body_is_invalid(fuzz_app, client):
    response = client.post(
        "/api/v1/conversations", data=to_json(Deep(5000)), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid"


@pytest.mark.parametrize("token_field", ["visitor_token", "token"])
def test_lone_surrogate_in_a_token_is_refused(fuzz_app, token_field):
    socket = RawConnect(fuzz_app, {token_field: "\ud800"})

    assert not socket.is_connected()


@pytest.mark.parametrize(
    "event",
    [
        "connect",
        "disconnect",
        "connect_error",
        "*",  # Flask-SocketIO's catch-all would misread it: renamed before dispatch
    ],
)
@pytest.mark.parametrize("role", ["visitor", "agent"])
def test_reserved_event_names_sent_by_a_client_are_invalid(conversation, monkeypatch, event, role):
    """The connection's own handlers must not run again: the socket stays
    where it is, online, and nothing changes."""
    wire = Wire(monkeypatch)
    socket = conversation[role]
    connections = db.session.execute(sa.text("SELECT sid, role FROM connections")).all()
    before = database_state()

    for args in ([], [{}], [{"visitor_token": conversation["token"]}], [{}, None, {}]):
        check_answer(wire.emit(socket, event, args), {"invalid"})

    assert socket.is_connected()
    assert database_state() == before
    assert db.session.execute(sa.text("SELECT sid, role FROM connections")).all() == connections
