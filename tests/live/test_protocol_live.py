"""The wire protocol against a real server process, with real Socket.IO clients.

Every test runs on eventlet and on gevent (``live_server``), over WebSocket
and over long-polling only (``transport``).

"Nothing else arrived" is checked after a barrier: a later event that must
reach the same socket. The server sends a socket's packets in order, and the
clients record them in arrival order, so anything the server sent before the
barrier has been recorded once the barrier has.
"""

import re
import time

import pytest
import requests
import socketio

from tests.harness.clients import WAIT
from tests.harness.credentials import AGENT_NAME
from tests.live.conftest import PRESENCE_GRACE, TYPING_TIMEOUT

pytestmark = pytest.mark.live

ISO_UTC_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def send(client, body, client_id, conversation_id=None):
    """Send a message and return the stored message from the ack."""
    payload = {"client_id": client_id, "body": body}
    if conversation_id is not None:
        payload["conversation_id"] = conversation_id
    ack = client.call("send_message", payload)
    assert ack["ok"] is True, ack
    return ack["message"]


def join(agent, conversation_id):
    ack = agent.call("join", {"conversation_id": conversation_id})
    assert ack["ok"] is True, ack
    return ack


def seqs(messages):
    return [message["seq"] for message in messages]


def error_code(ack):
    assert ack["ok"] is False, ack
    return ack["error"]["code"]


@pytest.fixture
def ana_and_two_agents(start_conversation, connect_agent):
    """Ana's new conversation, and two sockets of the agent, "inbox" and "desk",
    that have joined nothing yet."""
    ana = start_conversation(name="Ana")
    return ana, connect_agent("inbox"), connect_agent("desk")


def test_agent_connects_with_an_api_token(start_conversation, connect_agent, connect_visitor):
    ana = start_conversation(name="Ana", email="ana@example.com")
    agent = connect_agent()
    assert agent.connected

    joined = join(agent, ana.conversation_id)

    assert joined["conversation"]["id"] == ana.conversation_id
    assert joined["conversation"]["visitor"] == {"name": "Ana", "email": "ana@example.com"}
    assert joined["messages"] == [] and joined["has_more"] is False
    visitor = connect_visitor(ana)
    assert error_code(visitor.call("join", {"conversation_id": ana.conversation_id})) == (
        "forbidden"
    )


def test_connect_is_refused_without_valid_credentials(
    live_client, start_conversation, agent_api_token
):
    ana = start_conversation()
    refused_auths = [
        {},
        {"visitor_token": "not-a-token"},
        {"visitor_token": agent_api_token},  # an agent's token is no visitor's
        {"token": "not-a-token"},
        {"token": ana.token},  # a visitor's token is no agent's
        {"token": 12345},
    ]
    for auth in refused_auths:
        client = live_client("intruder", connect=False, **auth)

        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect()

        assert client.connect_errors == [{"message": "unauthorized"}], auth
        assert not client.connected


def test_messages_both_ways_reach_every_socket_exactly_once(
    start_conversation, connect_agent, connect_visitor
):
    ana, bo = start_conversation(name="Ana"), start_conversation(name="Bo")
    inbox = connect_agent("inbox")  # has not joined any conversation
    desk = connect_agent("desk")
    join(desk, ana.conversation_id)
    visitor_ana = connect_visitor(ana, "ana")
    visitor_bo = connect_visitor(bo, "bo")

    hello = send(visitor_ana, "  Hello  ", "a-1")

    assert hello == {
        "id": hello["id"],
        "conversation_id": ana.conversation_id,
        "seq": 1,
        "client_id": "a-1",
        "sender": "visitor",
        "author": {"name": "Ana"},
        "body": "Hello",
        "created_at": hello["created_at"],
        "delivered_at": None,
        "seen_at": None,
        "status": "sent",
        "file": None,  # an extension: a message carrying no file
    }
    assert isinstance(hello["id"], int) and ISO_UTC_MS.match(hello["created_at"])
    assert inbox.wait_for("message", id=hello["id"]) == [hello]
    assert desk.wait_for("message", id=hello["id"]) == [hello]

    reply = send(desk, "Hi Ana", "t-1", ana.conversation_id)

    assert reply["seq"] == 2 and reply["sender"] == "agent"
    assert reply["author"] == {"name": AGENT_NAME} and reply["body"] == "Hi Ana"
    assert visitor_ana.wait_for("message", id=reply["id"]) == [reply]
    assert inbox.wait_for("message", id=reply["id"]) == [reply]

    again = send(visitor_ana, "Thanks", "a-2")
    from_bo = send(visitor_bo, "Hello from Bo", "b-1")
    assert again["seq"] == 3 and from_bo["seq"] == 1
    assert from_bo["conversation_id"] == bo.conversation_id

    # Barrier: every agent socket got Bo's message, sent after all of Ana's.
    for agent in (inbox, desk):
        agent.wait_for("message", id=from_bo["id"])
    assert inbox.payloads("message", conversation_id=ana.conversation_id) == [hello, reply, again]
    assert desk.payloads("message", conversation_id=ana.conversation_id) == [hello, again]
    assert inbox.payloads("message", conversation_id=bo.conversation_id) == [from_bo]
    assert desk.payloads("message", conversation_id=bo.conversation_id) == [from_bo]
    # The sender's own socket gets the ack, not the event.
    to_ana = send(desk, "Anything else?", "t-2", ana.conversation_id)
    visitor_ana.wait_for("message", id=to_ana["id"])
    assert visitor_ana.payloads("message") == [reply, to_ana]
    assert visitor_bo.payloads("message") == []


def test_no_event_of_a_conversation_reaches_another_visitor(
    start_conversation, connect_agent, connect_visitor, server
):
    ana, bo = start_conversation(name="Ana"), start_conversation(name="Bo")
    desk = connect_agent("desk")
    join(desk, ana.conversation_id)
    visitor_bo = connect_visitor(bo, "bo")
    visitor_ana = connect_visitor(ana, "ana")
    desk.wait_for("presence", conversation_id=ana.conversation_id, online=True)

    # Everything that can happen in Ana's conversation.
    assert visitor_ana.call("typing", {"is_typing": True}) == {"ok": True}
    desk.call("typing", {"conversation_id": ana.conversation_id, "is_typing": True})
    send(visitor_ana, "Hello", "a-1")
    reply = send(desk, "Hi", "t-1", ana.conversation_id)
    desk.call("receipt", {"conversation_id": ana.conversation_id, "status": "seen", "up_to_seq": 1})
    visitor_ana.call("receipt", {"status": "seen", "up_to_seq": 2})
    visitor_ana.wait_for("typing", sender="agent", is_typing=False)
    visitor_ana.call("typing", {"is_typing": True})
    desk.wait_for("typing", sender="visitor", is_typing=True, count=2)
    visitor_ana.disconnect()
    desk.wait_for("typing", sender="visitor", is_typing=False, count=2)
    desk.wait_for("presence", conversation_id=ana.conversation_id, online=False)
    visitor_ana.connect()
    desk.wait_for("presence", conversation_id=ana.conversation_id, online=True, count=2)
    # Bo cannot reach Ana's conversation by naming it.
    mine = send(visitor_bo, "Is this Ana's?", "b-1", conversation_id=ana.conversation_id)
    assert mine["conversation_id"] == bo.conversation_id and mine["seq"] == 1
    history = visitor_bo.call("history", {"conversation_id": ana.conversation_id})
    assert history["messages"] == [mine]
    response = requests.get(
        f"{server.url}/api/v1/conversations/{ana.conversation_id}/messages",
        headers={"Authorization": f"Bearer {bo.token}"},
        timeout=WAIT,
    )
    assert response.status_code in (403, 404)
    assert "messages" not in response.json() and reply["body"] not in response.text

    # Barriers: a message into each visitor's own conversation.
    to_bo = send(desk, "Hello Bo", "t-2", bo.conversation_id)
    to_ana = send(desk, "Still there?", "t-3", ana.conversation_id)
    visitor_bo.wait_for("message", id=to_bo["id"])
    visitor_ana.wait_for("message", id=to_ana["id"])
    for visitor, own in ((visitor_bo, bo), (visitor_ana, ana)):
        strangers = [
            (event, payload)
            for event, payload in visitor.events()
            if payload.get("conversation_id") != own.conversation_id
        ]
        assert strangers == [], visitor
    assert visitor_bo.payloads("message") == [to_bo]


def test_typing_reaches_the_other_side_and_ends_with_a_message_or_disconnect(
    ana_and_two_agents, connect_visitor
):
    ana, inbox, desk = ana_and_two_agents
    cid = ana.conversation_id
    join(desk, cid)
    visitor = connect_visitor(ana)

    assert visitor.call("typing", {"is_typing": True}) == {"ok": True}

    typing_on = {"conversation_id": cid, "sender": "visitor", "name": "Ana", "is_typing": True}
    assert desk.wait_for("typing", sender="visitor") == [typing_on]
    inbox.wait_for("conversation", id=cid, visitor_typing=True)

    send(visitor, "Hello", "a-1")

    assert desk.wait_for("typing", sender="visitor", is_typing=False) == [
        {**typing_on, "is_typing": False}
    ]
    inbox.wait_for("conversation", id=cid, visitor_typing=False)

    desk.call("typing", {"conversation_id": cid, "is_typing": True})
    agent_on = {"conversation_id": cid, "sender": "agent", "name": AGENT_NAME, "is_typing": True}
    assert visitor.wait_for("typing", sender="agent") == [agent_on]
    send(desk, "Hi", "t-1", cid)
    assert visitor.wait_for("typing", sender="agent", is_typing=False) == [
        {**agent_on, "is_typing": False}
    ]

    visitor.call("typing", {"is_typing": True})
    desk.wait_for("typing", sender="visitor", is_typing=True, count=2)
    visitor.disconnect()
    desk.wait_for("typing", sender="visitor", is_typing=False, count=2)

    # Typing goes to the conversation's room: an agent who did not join sees
    # the summary only.
    assert inbox.payloads("typing") == []


def test_typing_ends_by_itself_after_the_timeout(
    start_conversation, connect_agent, connect_visitor
):
    ana = start_conversation(name="Ana")
    cid = ana.conversation_id
    desk = connect_agent("desk")
    join(desk, cid)
    visitor = connect_visitor(ana)

    started = time.monotonic()
    visitor.call("typing", {"is_typing": True})
    desk.call("typing", {"conversation_id": cid, "is_typing": True})

    desk.wait_for("typing", sender="visitor", is_typing=False, timeout=TYPING_TIMEOUT + WAIT)
    visitor.wait_for("typing", sender="agent", is_typing=False, timeout=TYPING_TIMEOUT + WAIT)
    assert time.monotonic() - started >= TYPING_TIMEOUT * 0.9
    assert [p["is_typing"] for p in desk.payloads("typing", sender="visitor")] == [True, False]
    assert [p["is_typing"] for p in visitor.payloads("typing", sender="agent")] == [True, False]


def test_typing_goes_only_to_the_other_side(start_conversation, connect_agent, connect_visitor):
    """Protocol: ``typing`` is sent to "the other side in the room" only."""
    ana = start_conversation(name="Ana")
    cid = ana.conversation_id
    desks = [connect_agent("desk-1"), connect_agent("desk-2")]
    for desk in desks:
        join(desk, cid)
    tabs = [connect_visitor(ana, "tab-1"), connect_visitor(ana, "tab-2")]

    tabs[0].call("typing", {"is_typing": True})
    desks[0].call("typing", {"conversation_id": cid, "is_typing": True})
    for desk in desks:
        desk.wait_for("typing", sender="visitor", is_typing=True)
    for tab in tabs:
        tab.wait_for("typing", sender="agent", is_typing=True)
    send(tabs[0], "Hello", "a-1")
    send(desks[0], "Hi", "t-1", cid)
    for desk in desks:
        desk.wait_for("typing", sender="visitor", is_typing=False)
    for tab in tabs:
        tab.wait_for("typing", sender="agent", is_typing=False)
    # Barrier for every socket.
    last = send(tabs[1], "Bye", "a-2")
    for desk in desks:
        desk.wait_for("message", id=last["id"])
    last = send(desks[1], "Bye", "t-2", cid)
    for tab in tabs:
        tab.wait_for("message", id=last["id"])

    own_side = {
        client.label: client.payloads("typing", sender=side)
        for client, side in [(tabs[0], "visitor"), (tabs[1], "visitor")]
        + [(desks[0], "agent"), (desks[1], "agent")]
    }
    assert own_side == {"tab-1": [], "tab-2": [], "desk-1": [], "desk-2": []}


def test_receipts_both_ways_never_go_back(ana_and_two_agents, connect_visitor):
    ana, inbox, desk = ana_and_two_agents
    cid = ana.conversation_id
    join(desk, cid)
    visitor = connect_visitor(ana)
    for n in (1, 2, 3):
        send(visitor, f"question {n}", f"a-{n}")

    def receipt(client, status, up_to_seq):
        payload = {"conversation_id": cid, "status": status, "up_to_seq": up_to_seq}
        return client.call("receipt", payload)

    assert receipt(desk, "delivered", 2) == {"ok": True}
    [delivered] = visitor.wait_for("receipt", by="agent")
    assert delivered == {
        "conversation_id": cid,
        "status": "delivered",
        "up_to_seq": 2,
        "by": "agent",
        "at": delivered["at"],
    }
    assert ISO_UTC_MS.match(delivered["at"])
    assert receipt(desk, "seen", 1) == {"ok": True}
    # Receipts that change nothing answer ok and are not broadcast.
    assert receipt(desk, "delivered", 1) == {"ok": True}
    assert receipt(desk, "seen", 1) == {"ok": True}
    assert receipt(desk, "delivered", 2) == {"ok": True}
    assert receipt(desk, "seen", 3) == {"ok": True}
    for n in (4, 5):
        send(desk, f"answer {n}", f"t-{n}", cid)
    assert receipt(visitor, "delivered", 5) == {"ok": True}
    assert receipt(visitor, "seen", 4) == {"ok": True}
    assert receipt(visitor, "seen", 2) == {"ok": True}  # no agent message up to 2
    assert receipt(visitor, "delivered", 4) == {"ok": True}
    assert error_code(receipt(visitor, "seen", 99)) == "invalid"
    assert error_code(receipt(desk, "seen", "5")) == "invalid"

    # Barrier for every socket: a message all three get.
    last = send(inbox, "One more thing", "t-6", cid)
    visitor.wait_for("message", id=last["id"])
    desk.wait_for("message", id=last["id"])
    last = send(visitor, "ok", "a-7")
    inbox.wait_for("message", id=last["id"])

    expected = [
        ("agent", "delivered", 2),
        ("agent", "seen", 1),
        ("agent", "seen", 3),
        ("visitor", "delivered", 5),
        ("visitor", "seen", 4),
    ]
    for client in (visitor, desk, inbox):
        receipts = client.payloads("receipt", conversation_id=cid)
        assert [(r["by"], r["status"], r["up_to_seq"]) for r in receipts] == expected, client
    messages = visitor.call("history", {})["messages"]
    assert seqs(messages) == [1, 2, 3, 4, 5, 6, 7]
    assert [m["status"] for m in messages] == ["seen"] * 4 + ["delivered", "sent", "sent"]


def test_catch_up_after_a_reconnect_brings_each_missed_message_once(
    start_conversation, connect_agent, connect_visitor, server
):
    ana = start_conversation(name="Ana")
    cid = ana.conversation_id
    inbox = connect_agent("inbox")
    visitor = connect_visitor(ana)
    first = [send(visitor, f"question {n}", f"a-{n}") for n in (1, 2)]
    inbox.wait_for("message", conversation_id=cid, count=2)

    visitor.disconnect()
    missed = [send(inbox, f"answer {n}", f"t-{n}", cid) for n in (3, 4, 5)]
    visitor.connect()

    caught_up = visitor.call("history", {"after_seq": 2})
    assert caught_up == {"ok": True, "messages": missed, "has_more": False}
    page = visitor.call("history", {"after_seq": 2, "limit": 2})
    assert seqs(page["messages"]) == [3, 4] and page["has_more"] is True
    page = visitor.call("history", {"after_seq": 4, "limit": 2})
    assert seqs(page["messages"]) == [5] and page["has_more"] is False
    response = requests.get(
        f"{server.url}/api/v1/conversations/{cid}/messages",
        params={"after_seq": 2},
        headers={"Authorization": f"Bearer {ana.token}"},
        timeout=WAIT,
    )
    assert response.status_code == 200
    assert response.json() == {"messages": missed, "has_more": False}

    # Live again: the next message arrives as an event; the missed ones never do.
    live = send(inbox, "welcome back", "t-6", cid)
    visitor.wait_for("message", id=live["id"])
    received = visitor.payloads("message") + caught_up["messages"]
    assert sorted(seqs(received)) == [3, 4, 5, 6]

    newest = visitor.call("history", {"limit": 2})
    assert seqs(newest["messages"]) == [5, 6] and newest["has_more"] is True
    older = visitor.call("history", {"before_seq": 5})
    assert older["messages"][:2] == first
    assert seqs(older["messages"]) == [1, 2, 3, 4] and older["has_more"] is False
    assert error_code(visitor.call("history", {"after_seq": 1, "before_seq": 3})) == "invalid"
    assert error_code(visitor.call("history", {"limit": 0})) == "invalid"
    assert error_code(visitor.call("history", {"limit": 101})) == "invalid"


def test_a_retried_client_id_stores_one_message_and_broadcasts_nothing(
    ana_and_two_agents, connect_visitor
):
    ana, inbox, desk = ana_and_two_agents
    cid = ana.conversation_id
    visitor = connect_visitor(ana, "tab-1")
    other_tab = connect_visitor(ana, "tab-2")

    hello = send(visitor, "Hello", "c-1")
    # The ack was lost; the client retries, from this tab and from another.
    assert send(visitor, "Hello", "c-1") == hello
    assert send(other_tab, "Hello", "c-1") == hello
    reply = send(desk, "Hi", "t-1", cid)
    assert send(desk, "Hi", "t-1", cid) == reply
    # client_id is unique per sender: the agent's "c-1" is another message.
    agents_c1 = send(desk, "Mine", "c-1", cid)
    after = send(visitor, "Still there?", "c-2")

    assert seqs([hello, reply, agents_c1, after]) == [1, 2, 3, 4]
    inbox.wait_for("message", id=after["id"])
    desk.wait_for("message", id=after["id"])
    visitor.wait_for("message", id=agents_c1["id"])
    other_tab.wait_for("message", id=after["id"])
    assert seqs(inbox.payloads("message", conversation_id=cid)) == [1, 2, 3, 4]
    assert seqs(desk.payloads("message", conversation_id=cid)) == [1, 4]
    assert seqs(visitor.payloads("message")) == [2, 3]
    assert seqs(other_tab.payloads("message")) == [1, 2, 3, 4]
    assert seqs(visitor.call("history", {})["messages"]) == [1, 2, 3, 4]


def test_visitor_presence_reaches_agents_without_flicker(
    start_conversation, connect_agent, connect_visitor
):
    ana = start_conversation(name="Ana")
    cid = ana.conversation_id
    inbox = connect_agent("inbox")

    tab = connect_visitor(ana, "tab-1")

    online = {"conversation_id": cid, "who": "visitor", "online": True}
    assert inbox.wait_for("presence", conversation_id=cid) == [online]
    inbox.wait_for("conversation", id=cid, visitor_online=True)

    # A reload, and a second tab opened and closed: still online.
    tab.disconnect()
    tab.connect()
    other_tab = connect_visitor(ana, "tab-2")
    other_tab.disconnect()
    time.sleep(PRESENCE_GRACE + 0.2)  # nothing to wait for: the absence of an event
    assert inbox.payloads("presence", conversation_id=cid) == [online]
    tab.disconnect()

    inbox.wait_for("presence", conversation_id=cid, online=False)
    inbox.wait_for("conversation", id=cid, visitor_online=False)
    tab.connect()  # barrier: back online
    inbox.wait_for("presence", conversation_id=cid, count=3)
    shown = [p["online"] for p in inbox.payloads("presence", conversation_id=cid)]
    assert shown == [True, False, True]


def test_agent_presence_reaches_the_visitor(start_conversation, connect_agent, connect_visitor):
    ana = start_conversation(name="Ana")
    cid = ana.conversation_id
    visitor = connect_visitor(ana)
    [first] = visitor.wait_for("presence", who="agent")
    assert first["conversation_id"] == cid
    if first["online"]:
        # An agent socket of an earlier test is still closing.
        visitor.wait_for("presence", who="agent", online=False, timeout=PRESENCE_GRACE + WAIT)
    known = len(visitor.payloads("presence"))

    agent_online = {"conversation_id": cid, "who": "agent", "online": True}

    desk = connect_agent("desk-1")

    visitor.wait_until(lambda v: v.payloads("presence")[-1] == agent_online, what="agent online")
    other_desk = connect_agent("desk-2")
    late_tab = connect_visitor(ana, "tab-2")
    assert late_tab.wait_for("presence", who="agent") == [agent_online]
    desk.disconnect()
    time.sleep(PRESENCE_GRACE + 0.2)  # nothing to wait for: the absence of an event
    other_desk.disconnect()

    late_tab.wait_for("presence", who="agent", online=False)
    visitor.wait_until(lambda v: not v.payloads("presence")[-1]["online"], what="agent offline")
    # The state the visitor was shown, change by change: no flicker while
    # one agent socket was left. (An offline repeated while already offline,
    # e.g. from an earlier test's agent, changes nothing.)
    shown = [False] + [p["online"] for p in visitor.payloads("presence")[known:]]
    changes = [state for i, state in enumerate(shown) if i == 0 or state != shown[i - 1]]
    assert changes == [False, True, False]
    assert all(p["conversation_id"] == cid for p in visitor.payloads("presence"))
