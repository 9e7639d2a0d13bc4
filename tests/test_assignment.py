"""Claim, assign, unassign and availability: the Socket.IO events and the REST
endpoints, what every inbox and the visitor are told, and how the widget's
"We're online" follows agents' availability."""

import time

import pytest
import sqlalchemy as sa

from app import db
from app.models import Activity, Agent
from app.services import tokens
from tests.conftest import database_state, events
from tests.test_events import drain, error_code, wait_for

MISSING = 10_000


@pytest.fixture
def ben(app):
    agent = Agent(email="ben@example.com", name="Ben")
    agent.set_password("another horse battery")
    db.session.add(agent)
    db.session.commit()
    return agent


@pytest.fixture
def desk(app, agent, ben, connect, new_visitor):
    """Tess and Ben in their inboxes, and a visitor (Ana) in a conversation."""
    conversation_id, token = new_visitor(name="Ana")
    tess_token, ben_token = tokens.issue_token(agent), tokens.issue_token(ben)
    sockets = {
        "tess": connect(token=tess_token),
        "ben": connect(token=ben_token),
        "visitor": connect(visitor_token=token),
    }
    drain(*sockets.values())
    return {
        "cid": conversation_id,
        "token": token,
        "tess_id": agent.id,
        "ben_id": ben.id,
        "tess_token": tess_token,
        "ben_token": ben_token,
        **sockets,
    }


def lines(conversation_id) -> list[tuple]:
    db.session.rollback()
    query = sa.select(Activity.kind, Activity.actor_name, Activity.subject_name).where(
        Activity.conversation_id == conversation_id
    )
    return [tuple(row) for row in db.session.execute(query.order_by(Activity.id))]


def received(socket) -> dict[str, list]:
    """Every event a test client received, as payload lists by name."""
    by_name: dict[str, list] = {}
    for event in socket.get_received():
        by_name.setdefault(event["name"], []).append(event["args"][0])
    return by_name


def bearer(token) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- claim, assign, unassign over the socket ------------------------------------


def test_claim_is_seen_by_every_inbox_and_the_visitor_learns_the_name(desk):
    ack = desk["tess"].emit("claim", {"conversation_id": desk["cid"]}, callback=True)

    assert ack["ok"] is True
    assert ack["conversation"]["assignee"] == {"id": desk["tess_id"], "name": "Tess"}
    ben = received(desk["ben"])
    (line,) = ben["activity"]
    assert (line["kind"], line["actor"], line["subject"]) == ("assigned", {"name": "Tess"}, "Tess")
    assert ben["conversation"][-1]["assignee"]["name"] == "Tess"
    visitor = received(desk["visitor"])
    assert visitor.pop("chat_state") == [
        {
            "conversation_id": desk["cid"],
            "state": "open",
            "agent": {"name": "Tess", "available": True},
            "hours": {"open": True, "closes_at": None, "opens_at": None},
            "email": None,
            "mail": False,
        }
    ]
    assert visitor == {}
    assert lines(desk["cid"]) == [("assigned", "Tess", "Tess")]


def test_assign_to_another_agent_then_they_claim_nothing_new(desk):
    payload = {"conversation_id": desk["cid"], "agent_id": desk["ben_id"]}
    assert desk["tess"].emit("assign", payload, callback=True)["ok"]
    drain(desk["tess"], desk["ben"])

    again = desk["ben"].emit("claim", {"conversation_id": desk["cid"]}, callback=True)

    assert again["ok"] and again["conversation"]["assignee"]["name"] == "Ben"
    assert events(desk["tess"], "activity") == []
    assert lines(desk["cid"]) == [("assigned", "Tess", "Ben")]


def test_claim_takes_over_someone_elses_chat(desk):
    assert desk["ben"].emit("claim", {"conversation_id": desk["cid"]}, callback=True)["ok"]

    ack = desk["tess"].emit("claim", {"conversation_id": desk["cid"]}, callback=True)

    assert ack["conversation"]["assignee"]["name"] == "Tess"
    assert lines(desk["cid"]) == [("assigned", "Ben", "Ben"), ("assigned", "Tess", "Tess")]
    assert events(desk["visitor"], "chat_state")[-1]["agent"]["name"] == "Tess"


def test_unassign_names_who_had_it_and_repeating_records_nothing(desk):
    assert desk["tess"].emit("claim", {"conversation_id": desk["cid"]}, callback=True)["ok"]
    drain(desk["tess"], desk["ben"], desk["visitor"])

    first = desk["ben"].emit("unassign", {"conversation_id": desk["cid"]}, callback=True)
    second = desk["ben"].emit("unassign", {"conversation_id": desk["cid"]}, callback=True)

    assert first["ok"] and second["ok"] and second["conversation"]["assignee"] is None
    assert [line["kind"] for line in events(desk["tess"], "activity")] == ["unassigned"]
    assert events(desk["visitor"], "chat_state")[-1]["agent"] is None
    assert lines(desk["cid"])[-1] == ("unassigned", "Ben", "Tess")
    assert len(lines(desk["cid"])) == 2


def test_assigning_to_an_unknown_or_disabled_agent_is_refused(desk, ben):
    payload = {"conversation_id": desk["cid"], "agent_id": MISSING}
    assert error_code(desk["tess"].emit("assign", payload, callback=True)) == "not_found"
    ben.disabled = True
    db.session.commit()
    before = database_state()

    payload = {"conversation_id": desk["cid"], "agent_id": desk["ben_id"]}
    assert error_code(desk["tess"].emit("assign", payload, callback=True)) == "invalid"

    assert database_state() == before and lines(desk["cid"]) == []


@pytest.mark.parametrize("event", ["claim", "assign", "unassign"])
def test_a_chat_the_visitor_ended_is_a_conflict(client, desk, event):
    response = client.post(
        f"/api/v1/conversations/{desk['cid']}/end", headers=bearer(desk["token"])
    )
    assert response.status_code == 204
    payload = {"conversation_id": desk["cid"], "agent_id": desk["ben_id"]}

    assert error_code(desk["tess"].emit(event, payload, callback=True)) == "conflict"
    assert lines(desk["cid"]) == []


@pytest.mark.parametrize("event", ["claim", "assign", "unassign"])
def test_a_missing_conversation_is_not_found(desk, event):
    payload = {"conversation_id": MISSING, "agent_id": desk["ben_id"]}
    assert error_code(desk["tess"].emit(event, payload, callback=True)) == "not_found"


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("claim", {}),
        ("claim", {"conversation_id": "1"}),
        ("assign", {"conversation_id": 1}),
        ("assign", {"conversation_id": 1, "agent_id": True}),
        ("assign", {"conversation_id": 1, "agent_id": 0}),
        ("assign", {"conversation_id": 1, "agent_id": None}),
        ("unassign", {"conversation_id": 2**31}),
        ("set_availability", {}),
        ("set_availability", {"available": "false"}),
        ("set_availability", {"available": 0}),
    ],
)
def test_payloads_of_the_wrong_shape_are_invalid(desk, event, payload):
    assert error_code(desk["tess"].emit(event, payload, callback=True)) == "invalid"


@pytest.mark.parametrize("event", ["claim", "assign", "unassign", "set_availability"])
def test_visitors_may_not_assign_or_set_availability(desk, event):
    payload = {"conversation_id": desk["cid"], "agent_id": desk["tess_id"], "available": False}

    assert error_code(desk["visitor"].emit(event, payload, callback=True)) == "forbidden"
    assert lines(desk["cid"]) == []
    db.session.rollback()
    assert db.session.get(Agent, desk["tess_id"]).available is True


def test_claim_assign_and_unassign_share_one_rate_limit_per_agent(app, desk, connect):
    app.config["CHAT_ASSIGN_RATE"] = "3 per minute"
    cid = desk["cid"]
    second_tab = connect(token=desk["tess_token"])

    acks = [
        desk["tess"].emit("claim", {"conversation_id": cid}, callback=True),
        second_tab.emit("unassign", {"conversation_id": cid}, callback=True),
        desk["tess"].emit(
            "assign", {"conversation_id": cid, "agent_id": desk["ben_id"]}, callback=True
        ),
        second_tab.emit("claim", {"conversation_id": cid}, callback=True),
    ]

    assert [ack["ok"] for ack in acks] == [True, True, True, False]
    assert error_code(acks[-1]) == "rate_limited"
    assert lines(cid)[-1] == ("assigned", "Tess", "Ben")
    # Ben has an allowance of his own.
    assert desk["ben"].emit("claim", {"conversation_id": cid}, callback=True)["ok"]


def test_set_availability_is_rate_limited(app, desk):
    app.config["CHAT_AVAILABILITY_RATE"] = "2 per minute"

    acks = [
        desk["tess"].emit("set_availability", {"available": n % 2 == 1}, callback=True)
        for n in range(3)
    ]

    assert [ack["ok"] for ack in acks] == [True, True, False]
    assert error_code(acks[-1]) == "rate_limited"


# --- REST -----------------------------------------------------------------------


def test_rest_assign_claim_and_unassign(client, desk):
    url = f"/api/v1/conversations/{desk['cid']}/assign"

    to_ben = client.post(url, json={"agent_id": desk["ben_id"]}, headers=bearer(desk["tess_token"]))
    assert to_ben.status_code == 200
    assert to_ben.json["conversation"]["assignee"] == {"id": desk["ben_id"], "name": "Ben"}
    assert events(desk["visitor"], "chat_state")[-1]["agent"]["name"] == "Ben"
    assert events(desk["ben"], "activity")[-1]["subject"] == "Ben"

    nobody = client.post(url, json={"agent_id": None}, headers=bearer(desk["ben_token"]))
    assert nobody.status_code == 200 and nobody.json["conversation"]["assignee"] is None
    assert lines(desk["cid"]) == [("assigned", "Tess", "Ben"), ("unassigned", "Ben", "Ben")]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"agent_id": MISSING}, 404, "not_found"),
        ({"agent_id": "2"}, 400, "invalid"),
        ({"agent_id": 2.0}, 400, "invalid"),
        ({}, 400, "invalid"),
        ([], 400, "invalid"),
        (None, 400, "invalid"),
    ],
)
def test_rest_assign_refuses_bad_bodies(client, desk, body, status, code):
    url = f"/api/v1/conversations/{desk['cid']}/assign"
    response = client.post(url, json=body, headers=bearer(desk["tess_token"]))
    assert response.status_code == status and response.json["error"]["code"] == code
    assert lines(desk["cid"]) == []


def test_rest_assign_is_for_agents_only(client, desk):
    url = f"/api/v1/conversations/{desk['cid']}/assign"
    body = {"agent_id": desk["tess_id"]}

    assert client.post(url, json=body, headers=bearer(desk["token"])).status_code == 403
    assert client.post(url, json=body).status_code == 401
    assert (
        client.post(
            f"/api/v1/conversations/{MISSING}/assign", json=body, headers=bearer(desk["tess_token"])
        ).status_code
        == 404
    )
    assert lines(desk["cid"]) == []


def test_rest_assign_to_a_disabled_agent_or_in_an_ended_chat(client, desk, ben):
    url = f"/api/v1/conversations/{desk['cid']}/assign"
    ben.disabled = True
    db.session.commit()
    response = client.post(
        url, json={"agent_id": desk["ben_id"]}, headers=bearer(desk["tess_token"])
    )
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid"

    client.post(f"/api/v1/conversations/{desk['cid']}/end", headers=bearer(desk["token"]))
    response = client.post(
        url, json={"agent_id": desk["tess_id"]}, headers=bearer(desk["tess_token"])
    )
    assert response.status_code == 409 and response.json["error"]["code"] == "conflict"


def test_rest_assign_is_rate_limited(app, client, desk):
    app.config["CHAT_ASSIGN_RATE"] = "2 per minute"
    url = f"/api/v1/conversations/{desk['cid']}/assign"
    statuses = [
        client.post(
            url, json={"agent_id": agent_id}, headers=bearer(desk["tess_token"])
        ).status_code
        for agent_id in (desk["tess_id"], None, desk["tess_id"])
    ]
    assert statuses == [200, 200, 429]


def test_agents_list_shows_availability_and_who_is_connected(client, desk, ben, connect):
    ben_row = {"id": desk["ben_id"], "name": "Ben", "role": "agent"}
    tess_row = {"id": desk["tess_id"], "name": "Tess", "role": "agent"}

    response = client.get("/api/v1/agents", headers=bearer(desk["tess_token"]))

    assert response.status_code == 200
    assert response.json == {
        "agents": [
            {**ben_row, "available": True, "online": True},
            {**tess_row, "available": True, "online": True},
        ]
    }
    ben.disabled = True
    db.session.commit()
    listed = client.get("/api/v1/agents", headers=bearer(desk["tess_token"])).json["agents"]
    assert [agent["name"] for agent in listed] == ["Tess"]


def test_agents_list_is_for_agents_only(client, desk):
    assert client.get("/api/v1/agents", headers=bearer(desk["token"])).status_code == 403
    assert client.get("/api/v1/agents").status_code == 401


def test_rest_availability_is_told_to_every_inbox(client, desk):
    url = "/api/v1/agents/me/availability"

    away = client.put(url, json={"available": False}, headers=bearer(desk["ben_token"]))

    assert away.status_code == 200
    assert away.json["agent"] == {
        "id": desk["ben_id"],
        "name": "Ben",
        "role": "agent",
        "available": False,
        "online": True,
    }
    (roster,) = events(desk["tess"], "agents")
    assert {a["name"]: a["available"] for a in roster["agents"]} == {"Ben": False, "Tess": True}
    # Saying it again changes nothing and tells nobody.
    assert (
        client.put(url, json={"available": False}, headers=bearer(desk["ben_token"])).json["agent"][
            "available"
        ]
        is False
    )
    assert events(desk["tess"], "agents") == []


@pytest.mark.parametrize("body", [{}, {"available": "yes"}, {"available": None}, [True], None])
def test_rest_availability_refuses_bad_bodies(client, desk, body):
    url = "/api/v1/agents/me/availability"
    response = client.put(url, json=body, headers=bearer(desk["tess_token"]))
    assert response.status_code == 400 and response.json["error"]["code"] == "invalid"
    assert (
        client.put(url, json={"available": False}, headers=bearer(desk["token"])).status_code == 403
    )


# --- the agents event -------------------------------------------------------------


def test_inboxes_see_an_agent_connect_and_leave_once(app, agent, ben, connect):
    tess = connect(token=tokens.issue_token(agent))
    ben_token = tokens.issue_token(ben)
    drain(tess)

    first = connect(token=ben_token)
    second = connect(token=ben_token)  # another tab: nothing new to tell

    (roster,) = events(tess, "agents")
    assert {a["name"]: a["online"] for a in roster["agents"]} == {"Ben": True, "Tess": True}
    first.disconnect()
    time.sleep(app.config["CHAT_PRESENCE_GRACE"] * 2.5)
    assert events(tess, "agents") == []
    second.disconnect()
    gone = wait_for(tess, "agents")
    assert {a["name"]: a["online"] for a in gone["agents"]} == {"Ben": False, "Tess": True}


def test_an_inbox_reloading_within_the_grace_period_tells_nobody(app, agent, ben, connect):
    tess = connect(token=tokens.issue_token(agent))
    ben_token = tokens.issue_token(ben)
    connect(token=ben_token).disconnect()
    connect(token=ben_token)
    drain(tess)

    time.sleep(app.config["CHAT_PRESENCE_GRACE"] * 2.5)

    assert events(tess, "agents") == []


def test_the_agents_event_never_reaches_a_visitor(desk):
    desk["ben"].emit("set_availability", {"available": False}, callback=True)
    assert events(desk["visitor"], "agents") == []


# --- "We're online" follows availability --------------------------------------------


def test_visitors_hear_offline_once_when_the_last_available_agent_turns_away(app, desk):
    assert desk["ben"].emit("set_availability", {"available": False}, callback=True)["ok"]
    time.sleep(app.config["CHAT_PRESENCE_GRACE"] * 2.5)
    assert events(desk["visitor"], "presence") == []  # Tess is still available

    ack = desk["tess"].emit("set_availability", {"available": False}, callback=True)

    assert ack["agent"]["available"] is False
    wait_for(desk["visitor"], "presence", who="agent", online=False)
    time.sleep(app.config["CHAT_PRESENCE_GRACE"] * 2.5)
    assert events(desk["visitor"], "presence") == []

    desk["ben"].emit("set_availability", {"available": True}, callback=True)
    assert events(desk["visitor"], "presence") == [
        {"conversation_id": desk["cid"], "who": "agent", "online": True}
    ]


def test_a_visitor_arriving_while_every_agent_is_away_is_told_offline(
    app, desk, new_visitor, connect
):
    for name in ("tess", "ben"):
        desk[name].emit("set_availability", {"available": False}, callback=True)
    wait_for(desk["visitor"], "presence", who="agent", online=False)
    conversation_id, token = new_visitor()

    newcomer = connect(visitor_token=token)

    assert events(newcomer, "presence") == [
        {"conversation_id": conversation_id, "who": "agent", "online": False}
    ]


def test_an_away_agent_connecting_makes_nobody_online(app, agent, ben, new_visitor, connect):
    conversation_id, token = new_visitor()
    visitor = connect(visitor_token=token)
    agent.available = False
    db.session.commit()

    tess = connect(token=tokens.issue_token(agent))
    time.sleep(app.config["CHAT_PRESENCE_GRACE"] * 2)

    assert events(visitor, "presence") == [
        {"conversation_id": conversation_id, "who": "agent", "online": False}
    ]
    tess.emit("set_availability", {"available": True}, callback=True)
    assert events(visitor, "presence") == [
        {"conversation_id": conversation_id, "who": "agent", "online": True}
    ]


def test_away_then_available_within_the_grace_period_makes_no_flicker(app, desk):
    app.config["CHAT_PRESENCE_GRACE"] = 1.5
    desk["ben"].emit("set_availability", {"available": False}, callback=True)
    desk["tess"].emit("set_availability", {"available": False}, callback=True)
    desk["tess"].emit("set_availability", {"available": True}, callback=True)

    time.sleep(2.0)

    assert events(desk["visitor"], "presence") == []
