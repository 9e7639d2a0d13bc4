"""Anything sent to the events and endpoints of business hours and email
answers with a protocol code, never ``internal`` or a 5xx, and keeps the
connection."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_admin import admin, admin_token  # noqa: F401

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
payloads = st.one_of(
    json_values,
    st.fixed_dictionaries({"email": json_values}),
    st.fixed_dictionaries({"email": st.emails() | st.text(max_size=300)}),
)
FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
GENEROUS = {"CHAT_EMAIL_RATE": "100000 per minute", "CHAT_TRANSCRIPT_RATE": "100000 per minute"}


@pytest.fixture
def sockets(new_visitor, connect, agent_token):
    _cid, token = new_visitor()
    return {"visitor": connect(visitor_token=token), "agent": connect(token=agent_token)}


@pytest.mark.parametrize("app", [GENEROUS], indirect=True)
@FUZZ
@given(
    role=st.sampled_from(["visitor", "agent"]),
    event=st.sampled_from(["set_email", "email_transcript"]),
    payload=payloads,
)
def test_the_events_answer_a_protocol_code(sockets, role, event, payload):
    socket = sockets[role]
    ack = socket.emit(event, payload, callback=True)
    assert isinstance(ack, dict)
    if not ack["ok"]:
        assert ack["error"]["code"] in {"invalid", "forbidden", "conflict"}, ack
    assert socket.is_connected()


@FUZZ
@given(body=json_values)
def test_resume_answers_4xx_never_5xx(client, body):
    response = client.post("/api/v1/resume", json=body)
    assert response.status_code in (400, 429), response.json
    assert response.json["error"]["code"] in {"invalid", "rate_limited"}


@FUZZ
@given(path=st.text(max_size=40))
def test_availability_ignores_what_it_is_sent(client, path):
    response = client.get("/api/v1/availability", query_string={"x": path})
    assert response.status_code == 200


intervals = st.fixed_dictionaries(
    {"start": st.text(max_size=6) | st.just("09:00"), "end": st.text(max_size=6) | st.just("24:00")}
)
schedules = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "enabled": st.booleans() | json_values,
            "timezone": st.sampled_from(["UTC", "Europe/Paris", "../x", ""]) | st.text(max_size=30),
            "days": st.dictionaries(
                st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun", "xyz"]),
                st.lists(intervals, max_size=5) | json_values,
            ),
        }
    ),
)


@FUZZ
@given(schedule=schedules)
def test_any_schedule_is_stored_or_refused_never_5xx(client, admin_token, schedule):  # noqa: F811
    headers = {"Authorization": f"Bearer {admin_token}"}
    response = client.patch("/api/v1/settings", json={"business_hours": schedule}, headers=headers)
    assert response.status_code in (200, 400), response.json
    assert client.get("/api/v1/availability").status_code == 200
