"""The network of one side goes away without a close, then comes back.

A TCP proxy sits between that side's client and the server and throws the
bytes away (``TcpProxy.drop``), so neither end sees a close: each finds out
through the Engine.IO heartbeat. The server runs with
``CHAT_PING_INTERVAL=1`` and ``CHAT_PING_TIMEOUT=1`` (see ``BOUND``).

The other side must see presence go offline and typing end within the
heartbeat's bound; after the network is back, the client reconnects by
itself and ends up with every message and receipt it missed, exactly once.
"""

import time

import pytest

from tests.faults.helpers import assert_converged
from tests.faults.proxy import TcpProxy

pytestmark = pytest.mark.live

PING_INTERVAL = 1.0
PING_TIMEOUT = 1.0
GRACE = 0.3
# Scheduling on a loaded two-core machine.
SLACK = 1.5
# The server pings every interval and gives up on a client whose pong is
# more than a timeout late; it looks at each long-polling client at least
# once per timeout, so that one may take a timeout more. Then the grace.
# With the defaults (25 s, 20 s, 3 s) that is up to 68 s: measured 47.5 s
# over WebSocket and 51.5 s over long-polling.
BOUND = PING_INTERVAL + 2 * PING_TIMEOUT + GRACE + SLACK
HEARTBEAT_ENV = {
    "CHAT_PING_INTERVAL": str(PING_INTERVAL),
    "CHAT_PING_TIMEOUT": str(PING_TIMEOUT),
    "CHAT_PRESENCE_GRACE": str(GRACE),
    # Typing must end because the typist vanished, not because it expired.
    "CHAT_TYPING_TIMEOUT": "60",
}


@pytest.fixture
def proxies():
    opened = []

    def open_proxy(port):
        proxy = TcpProxy(port)
        opened.append(proxy)
        return proxy

    yield open_proxy
    for proxy in opened:
        proxy.close()


def last_event(events, **where):
    """(time, payload) of the last event whose payload has ``where``, or None."""
    matching = [
        (at, payload)
        for at, payload in events
        if all(payload.get(key) == value for key, value in where.items())
    ]
    return matching[-1] if matching else None


def greet(tab, desk, reply: str, until_settled) -> None:
    """The visitor's "Hello", stored, and the agent's ``reply``, until
    ``until_settled`` holds both and owes nothing."""
    hello = tab.send("Hello")
    tab.wait(lambda c: hello in c.acked, 5, "the first message stored")
    desk.send(reply)
    until_settled.wait(lambda c: c.settled() and len(c.messages()) == 2, 5, "the first exchange")


def seconds_until_gone(watcher, side: str, dropped: float) -> tuple[float, float]:
    """Wait until ``watcher`` sees ``side`` stop typing, then go offline;
    returns the seconds from ``dropped`` to each."""

    def last(events, **where) -> dict:
        return (last_event(events, **where) or (0, {}))[1]

    watcher.wait(
        lambda c: last(c.typing_events, sender=side).get("is_typing") is False,
        BOUND,
        f"{side} typing to end",
    )
    typing_ended = time.monotonic() - dropped
    watcher.wait(
        lambda c: last(c.presence_events, who=side).get("online") is False,
        BOUND,
        f"the {side} offline",
    )
    return typing_ended, time.monotonic() - dropped


def test_visitor_network_drop_is_noticed_and_healed(make_server, proxies, clients, transport):
    chat = make_server(**HEARTBEAT_ENV)
    proxy = proxies(chat.server.port)
    cid, token = chat.new_conversation(name="Ana")
    desk = clients.agent(
        chat.url, transport, chat.agent_token, (cid,), receipts=("delivered", "seen")
    ).start()
    tab = clients.visitor(proxy.url, transport, cid, token).start()
    desk.wait(lambda c: last_event(c.presence_events, online=True), 5, "the visitor online")
    greet(tab, desk, "Hi Ana, how can I help?", until_settled=tab)
    assert tab.typing(True)["ok"]
    desk.wait(lambda c: last_event(c.typing_events, is_typing=True), 5, "the visitor typing")

    # The visitor's network goes: what the visitor sends still arrives, what
    # the server sends back is lost (acknowledgements included).
    proxy.drop(up=False, down=True)
    dropped = time.monotonic()
    lost_ack = tab.send("Sent, but the answer is lost")
    desk.wait(lambda c: any(m["client_id"] == lost_ack for m in c.messages()), 5, "the message")
    # Typing again: over WebSocket it arrives, and only the disconnect ends
    # it; a long-polling client has one request in flight, whose answer is
    # lost, so this waits in its queue.
    tab.typing(True, wait=False)
    if transport == "websocket":
        desk.wait(
            lambda c: len([e for e in c.typing_events if e[1]["is_typing"]]) == 2,
            5,
            "the visitor typing again",
        )
    desk.send("Are you still there?")
    desk.send("I will wait.")

    # The agent sees the visitor go offline and stop typing within the bound.
    typing_ended, offline = seconds_until_gone(desk, "visitor", dropped)
    summary = chat.summary(cid)
    assert summary["visitor_online"] is False and summary["visitor_typing"] is False
    assert offline <= BOUND and typing_ended <= offline
    print(f"visitor offline {offline:.1f}s, typing ended {typing_ended:.1f}s after the drop")

    proxy.restore()
    tab.send("Back again")
    desk.wait(
        lambda c: (
            (last_event(c.presence_events, who="visitor") or (0, {}))[0] > dropped
            and c.presence_events[-1][1]["online"]
        ),
        15,
        "the visitor back online",
    )
    assert_converged(chat, cid, [tab, desk])

    assert tab.connects >= 2
    assert tab.attempts[lost_ack] >= 2, "the message whose answer was lost was sent again"
    stored = chat.stored(cid)
    assert [m["body"] for m in stored] == [
        "Hello",
        "Hi Ana, how can I help?",
        "Sent, but the answer is lost",
        "Are you still there?",
        "I will wait.",
        "Back again",
    ]
    # The agent got each visitor message once, as an event.
    visitor_seqs = [m["seq"] for m in stored if m["sender"] == "visitor"]
    assert [desk.thread().events[seq] for seq in visitor_seqs] == [1, 1, 1]
    # What the visitor missed came by catch-up, with the agent's receipts.
    assert [m["status"] for m in tab.messages()] == ["seen"] * 6


def test_agent_network_drop_is_noticed_and_healed(make_server, proxies, clients, transport):
    chat = make_server(**HEARTBEAT_ENV)
    proxy = proxies(chat.server.port)
    cid, token = chat.new_conversation(name="Ana")
    tab = clients.visitor(chat.url, transport, cid, token).start()
    desk = clients.agent(proxy.url, transport, chat.agent_token, (cid,)).start()
    tab.wait(lambda c: last_event(c.presence_events, who="agent", online=True), 5, "an agent")
    greet(tab, desk, "Hi Ana", until_settled=desk)
    assert desk.typing(True)["ok"]
    tab.wait(lambda c: last_event(c.typing_events, is_typing=True), 5, "the agent typing")

    # The agent's network goes entirely.
    proxy.drop()
    dropped = time.monotonic()
    tab.send("Did you leave?")
    unsent = desk.send("Written while offline")

    typing_ended, offline = seconds_until_gone(tab, "agent", dropped)
    assert offline <= BOUND and typing_ended <= offline
    print(f"agent offline {offline:.1f}s, typing ended {typing_ended:.1f}s after the drop")
    hello = tab.send("Hello?")
    tab.wait(lambda c: hello in c.acked, 5, "the message stored")

    proxy.restore()
    tab.wait(
        lambda c: (last_event(c.presence_events, who="agent", online=True) or (0, {}))[0] > dropped,
        15,
        "the agent back online",
    )
    assert_converged(chat, cid, [tab, desk])

    stored = chat.stored(cid)
    assert [m["body"] for m in stored] == [
        "Hello",
        "Hi Ana",
        "Did you leave?",
        "Hello?",
        "Written while offline",
    ]
    assert [m["client_id"] for m in stored if m["sender"] == "agent"][-1] == unsent
    # The visitor's messages of the outage reached the agent by catch-up and
    # were marked delivered then; the agent's late message reached the tab once.
    assert [m["status"] for m in stored if m["sender"] == "visitor"] == ["delivered"] * 3
    assert tab.thread().events[stored[-1]["seq"]] == 1
