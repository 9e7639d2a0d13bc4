"""Generated payloads for the rating, typing preview and reports entry
points: each answers once, with a protocol code (never ``internal`` or a
5xx), and the socket stays connected."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services import settings as desk_settings

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
CODES = {"forbidden", "invalid", "too_large", "conflict", "rate_limited", "not_found"}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
payloads = st.fixed_dictionaries(
    {},
    optional={
        "score": json_values | st.integers(0, 6),
        "comment": json_values,
        "text": json_values,
        "conversation_id": json_values,
    },
)


@pytest.fixture
def sockets(app, new_visitor, connect, agent_token):
    app.config["CHAT_RATING_RATE"] = app.config["CHAT_TYPING_PREVIEW_RATE"] = "100000 per minute"
    cid, token = new_visitor(name="Fuzz")
    desk_settings.change({"typing_preview": True})
    return {"visitor": connect(visitor_token=token), "agent": connect(token=agent_token)}


@FUZZ
@given(
    payload=payloads,
    event=st.sampled_from(["rate", "typing_preview"]),
    role=st.sampled_from(["visitor", "agent"]),
)
def test_rate_and_previews_answer_with_a_code(sockets, payload, event, role):
    socket = sockets[role]
    ack = socket.emit(event, payload, callback=True)
    assert ack["ok"] is True or ack["error"]["code"] in CODES, ack
    assert socket.is_connected()


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(["from", "to", "tz", "kind"]),
        st.text(max_size=20) | st.sampled_from(["2026-03-01", "UTC", "agents", "Europe/Oslo"]),
    ),
    path=st.sampled_from(["/api/v1/admin/reports", "/api/v1/admin/reports.csv"]),
)
def test_report_queries_never_fail_the_server(app, client, agent, query, path):
    from app import db
    from app.services import tokens

    agent.role = "admin"
    db.session.commit()
    app.config["CHAT_REPORT_RATE"] = "100000 per minute"
    token = tokens.issue_token(agent)
    response = client.get(path, query_string=query, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 400), response.get_data()
