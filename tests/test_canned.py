"""Canned responses over HTTP: who may use them, every rule and limit, bad input."""

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import db, socketio
from app.models import CannedResponse
from tests.conftest import events
from tests.test_api import assert_error, bearer, log_in


@pytest.fixture
def api(client, agent_token):
    """Call ``/api/v1{path}`` as the agent, with an API token."""

    def call(method, path, **kwargs):
        return client.open(f"/api/v1{path}", method=method, headers=bearer(agent_token), **kwargs)

    return call


def stored():
    """Every stored canned response as (shortcut, body), by shortcut."""
    db.session.rollback()
    rows = db.session.execute(
        sa.select(CannedResponse.shortcut, CannedResponse.body).order_by(CannedResponse.shortcut)
    )
    return [tuple(row) for row in rows]


def add(api, shortcut="hello", body="Hello! How can I help?"):
    response = api("POST", "/canned", json={"shortcut": shortcut, "body": body})
    assert response.status_code == 201, response.json
    return response.json


# --- what agents do -------------------------------------------------------------


def test_create_list_change_delete(api, agent):
    created = add(api, "/Hello", "  Hello! How can I help?\n")

    assert set(created) == {"id", "shortcut", "body", "created_at", "updated_at"}
    assert created["shortcut"] == "hello"
    assert created["body"] == "Hello! How can I help?"
    add(api, "bye", "Bye for now.")
    add(api, "address", "We are at 1 Main Street.")
    listed = api("GET", "/canned").json["canned"]
    assert [item["shortcut"] for item in listed] == ["address", "bye", "hello"]

    changed = api("PATCH", f"/canned/{created['id']}", json={"body": "Hi there!"})
    assert changed.status_code == 200
    assert changed.json["shortcut"] == "hello" and changed.json["body"] == "Hi there!"
    assert changed.json["updated_at"] >= created["updated_at"]
    renamed = api("PATCH", f"/canned/{created['id']}", json={"shortcut": "/hi"})
    assert renamed.json["shortcut"] == "hi" and renamed.json["body"] == "Hi there!"

    assert api("DELETE", f"/canned/{created['id']}").status_code == 204
    assert stored() == [("address", "We are at 1 Main Street."), ("bye", "Bye for now.")]
    created_by = db.session.scalar(sa.select(CannedResponse.created_by).limit(1))
    assert created_by == agent.id


def test_inbox_cookie_works_too(client, agent):
    log_in(client)

    response = client.post("/api/v1/canned", json={"shortcut": "thanks", "body": "Thank you!"})

    assert response.status_code == 201
    assert client.get("/api/v1/canned").json["canned"][0]["body"] == "Thank you!"


def test_every_inbox_hears_of_a_change(api, app, agent, client):
    log_in(client)
    inbox = socketio.test_client(app, flask_test_client=client)
    created = add(api)
    api("PATCH", f"/canned/{created['id']}", json={"body": "Hi"})
    api("DELETE", f"/canned/{created['id']}")

    assert events(inbox, "canned_changed") == [{}, {}, {}]
    inbox.disconnect()


def test_a_shortcut_may_be_reused_once_freed(api):
    first = add(api, "hello")
    api("DELETE", f"/canned/{first['id']}")

    add(api, "hello", "Again")

    assert stored() == [("hello", "Again")]


def test_renaming_to_its_own_shortcut_is_no_conflict(api):
    created = add(api, "hello")

    response = api("PATCH", f"/canned/{created['id']}", json={"shortcut": "/HELLO"})

    assert response.status_code == 200


# --- who may --------------------------------------------------------------------


def test_visitors_and_strangers_may_not(client, api, new_visitor):
    created = add(api)
    _, visitor_token = new_visitor()
    for method, path, body in [
        ("GET", "/canned", None),
        ("POST", "/canned", {"shortcut": "x", "body": "y"}),
        ("PATCH", f"/canned/{created['id']}", {"body": "y"}),
        ("DELETE", f"/canned/{created['id']}", None),
    ]:
        anonymous = client.open(f"/api/v1{path}", method=method, json=body)
        assert_error(anonymous, 401, "unauthorized")
        as_visitor = client.open(
            f"/api/v1{path}", method=method, json=body, headers=bearer(visitor_token)
        )
        assert_error(as_visitor, 403, "forbidden")
    assert stored() == [("hello", "Hello! How can I help?")]


def test_the_cookie_does_not_count_from_another_site(client, agent):
    log_in(client)

    response = client.post(
        "/api/v1/canned",
        json={"shortcut": "x", "body": "y"},
        headers={"Origin": "https://evil.example"},
    )

    assert_error(response, 401, "unauthorized")
    assert stored() == []


# --- rules and limits -------------------------------------------------------------


@pytest.mark.parametrize(
    "shortcut",
    ["", "/", "//hello", "hello world", "héllo", "\u212a", "a" * 33, "/" + "a" * 33, "a.b", "a/b"],
)
def test_bad_shortcuts_are_invalid(api, shortcut):
    response = api("POST", "/canned", json={"shortcut": shortcut, "body": "Hi"})

    assert_error(response, 400, "invalid")
    assert stored() == []


@pytest.mark.parametrize(
    ("given", "kept"),
    [("a" * 32, "a" * 32), ("/" + "z" * 32, "z" * 32), ("Re-Fund_2", "re-fund_2"), (" /x ", "x")],
)
def test_good_shortcuts(api, given, kept):
    assert add(api, given)["shortcut"] == kept


def test_a_taken_shortcut_is_a_conflict(api):
    add(api, "hello", "First")
    other = add(api, "bye", "Second")

    assert_error(api("POST", "/canned", json={"shortcut": "/HELLO", "body": "x"}), 409, "conflict")
    renamed = api("PATCH", f"/canned/{other['id']}", json={"shortcut": "hello"})
    assert_error(renamed, 409, "conflict")
    assert stored() == [("bye", "Second"), ("hello", "First")]


@pytest.mark.parametrize("app", [{"CHAT_MAX_BODY_CHARS": 20}], indirect=True)
def test_body_follows_the_message_rules(api):
    assert add(api, "long", " " + "😀" * 20 + "\n")["body"] == "😀" * 20
    too_long = api("POST", "/canned", json={"shortcut": "longer", "body": "x" * 21})
    assert_error(too_long, 413, "too_large")
    for blank in ["", "   ", "\u200b\ufeff", "\u3164"]:
        response = api("POST", "/canned", json={"shortcut": "blank", "body": blank})
        assert_error(response, 400, "invalid")
    created = stored()
    assert created == [("long", "😀" * 20)]


def test_a_change_to_a_bad_body_keeps_the_old(api):
    created = add(api, "hello", "Hello")

    response = api("PATCH", f"/canned/{created['id']}", json={"shortcut": "hi", "body": " "})

    assert_error(response, 400, "invalid")
    assert stored() == [("hello", "Hello")]


@pytest.mark.parametrize("app", [{"CHAT_MAX_CANNED": 3}], indirect=True)
def test_at_most_chat_max_canned(api):
    for shortcut in ["a", "b", "c"]:
        add(api, shortcut)

    assert_error(api("POST", "/canned", json={"shortcut": "d", "body": "x"}), 409, "conflict")
    first = api("GET", "/canned").json["canned"][0]
    api("DELETE", f"/canned/{first['id']}")
    add(api, "d")
    assert [shortcut for shortcut, _ in stored()] == ["b", "c", "d"]


def test_the_default_limit_is_500(app):
    assert app.config["CHAT_MAX_CANNED"] == 500


def test_unknown_ids_are_not_found(api):
    assert_error(api("PATCH", "/canned/999", json={"body": "x"}), 404, "not_found")
    assert_error(api("DELETE", "/canned/999"), 404, "not_found")
    assert_error(api("DELETE", "/canned/0"), 404, "not_found")
    too_big = api("DELETE", "/canned/99999999999")
    assert too_big.status_code in {404, 405} and too_big.json["error"]["code"]
    assert_error(api("PUT", "/canned/1", json={"body": "x"}), 405, "invalid")


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "hello",
        {},
        {"shortcut": "x"},
        {"body": "x"},
        {"shortcut": 1, "body": "x"},
        {"shortcut": "x", "body": ["x"]},
        {"shortcut": "x", "body": "a\x00b"},
        {"shortcut": "x", "body": "\ud800"},
        {"shortcut": None, "body": "x"},
    ],
)
def test_bad_create_payloads_are_invalid(api, body):
    response = api("POST", "/canned", json=body)

    assert_error(response, 400, "invalid")
    assert stored() == []


@pytest.mark.parametrize("body", [None, {}, {"shortcut": None}, {"body": 5}, {"shortcut": True}])
def test_bad_change_payloads_are_invalid(api, body):
    created = add(api)

    response = api("PATCH", f"/canned/{created['id']}", json=body)

    assert_error(response, 400, "invalid")
    assert stored() == [("hello", "Hello! How can I help?")]


def test_a_body_not_json_is_invalid(api):
    response = api("POST", "/canned", data="{not json", content_type="application/json")

    assert_error(response, 400, "invalid")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
    max_leaves=8,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "shortcut": st.text(max_size=40) | JSON_VALUES,
        "body": st.text(max_size=40) | JSON_VALUES,
    },
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payload=FIELDS | JSON_VALUES, method=st.sampled_from(["POST", "PATCH"]))
def test_fuzz_never_a_server_error(api, payload, method):
    """Whatever arrives, the answer is a 2xx or a 4xx with the protocol's JSON error."""
    path = "/canned" if method == "POST" else "/canned/1"
    response = api(method, path, json=payload)

    if response.status_code >= 300:
        assert 400 <= response.status_code < 500, response.data
        assert response.json["error"]["code"] in {"invalid", "too_large", "conflict", "not_found"}
    for shortcut, body in stored():
        assert 1 <= len(shortcut) <= 32 and body.strip()
