"""Many sockets of one conversation at once: seq stays gapless, events arrive once.

Runs on the shared busy server (generous rate limits), on eventlet and on
gevent, over WebSocket and over long-polling.
"""

import threading

import pytest

from tests.faults.helpers import assert_converged
from tests.harness.clients import WAIT

pytestmark = pytest.mark.live

SENDERS = 5
PER_SENDER = 200


def test_five_senders_at_volume_get_gapless_seq_and_every_message_once(busy, clients, transport):
    cid, token = busy.new_conversation(name="Ana")
    tabs = [
        clients.visitor(busy.url, transport, cid, token, f"tab{n}", max_in_flight=10)
        for n in (1, 2, 3)
    ]
    desks = [
        clients.agent(busy.url, transport, busy.agent_token, (cid,), f"desk{n}", max_in_flight=10)
        for n in (1, 2)
    ]
    everyone = [*tabs, *desks]
    for client in everyone:
        client.start()
    for client in everyone:
        client.wait(lambda c: c.settled(), WAIT, "the first catch-up")

    start = threading.Barrier(len(everyone))

    def write(client):
        start.wait()
        for n in range(PER_SENDER):
            client.send(f"{client.label} #{n}")

    writers = [threading.Thread(target=write, args=(client,)) for client in everyone]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    stored = assert_converged(busy, cid, everyone, timeout=90)

    total = SENDERS * PER_SENDER
    assert [m["seq"] for m in stored] == list(range(1, total + 1))
    for client in everyone:
        assert client.connects == 1, f"{client!r} lost its connection"
        assert len(client.acked) == PER_SENDER
        assert all(attempts == 1 for attempts in client.attempts.values())
        own = {m["seq"] for m in client.acked.values()}
        events = client.thread().events
        # Every message of the others arrived once as an event; its own, never.
        assert {seq for seq in range(1, total + 1) if events[seq] != 1} == own
        assert all(events[seq] == 0 for seq in own)


def test_one_client_id_sent_many_times_at_once_is_stored_and_broadcast_once(
    busy, clients, transport
):
    cid, token = busy.new_conversation(name="Ana")
    senders = [clients.live(busy.url, transport, f"tab{n}", visitor_token=token) for n in range(4)]
    watcher = clients.live(busy.url, transport, "watcher", visitor_token=token)
    agents = [
        clients.live(busy.url, transport, f"desk{n}", token=busy.agent_token) for n in range(2)
    ]
    repeats = 10
    acks: list = []
    lock = threading.Lock()
    start = threading.Barrier(len(senders) + len(agents))

    def hammer(client, payload):
        """Emit the same message ``repeats`` times without waiting in between."""
        done = threading.Semaphore(0)

        def acknowledged(ack):
            with lock:
                acks.append((client.label, payload.get("conversation_id"), ack))
            done.release()

        start.wait()
        for _ in range(repeats):
            client.sio.emit("send_message", payload, callback=acknowledged)
        for _ in range(repeats):
            assert done.acquire(timeout=WAIT), f"{client!r}: an acknowledgement never came"

    threads = [
        threading.Thread(target=hammer, args=(s, {"client_id": "same-1", "body": "Hello"}))
        for s in senders
    ] + [
        threading.Thread(
            target=hammer,
            args=(a, {"conversation_id": cid, "client_id": "same-1", "body": "Hi"}),
        )
        for a in agents
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(acks) == (len(senders) + len(agents)) * repeats
    assert all(ack["ok"] for _label, _cid, ack in acks), acks
    visitor_copies = {repr(ack["message"]) for _l, c, ack in acks if c is None}
    agent_copies = {repr(ack["message"]) for _l, c, ack in acks if c is not None}
    assert len(visitor_copies) == 1 and len(agent_copies) == 1
    stored = busy.stored(cid)
    assert [(m["seq"], m["sender"], m["client_id"]) for m in stored] in (
        [(1, "visitor", "same-1"), (2, "agent", "same-1")],
        [(1, "agent", "same-1"), (2, "visitor", "same-1")],
    )

    # Barrier: one more message that every socket gets after the others.
    barrier = watcher.call("send_message", {"client_id": "barrier", "body": "Last"})
    assert barrier["ok"], barrier
    for client in [*senders, *agents]:
        client.wait_for("message", id=barrier["message"]["id"])
    visitor_message, agent_message = sorted(stored, key=lambda m: m["sender"] != "visitor")

    def copies(client, message):
        return len(client.payloads("message", id=message["id"]))

    # Each message went to every socket but the one whose send stored it.
    for message, sending_side in ((visitor_message, senders), (agent_message, agents)):
        everyone_else = [c for c in [*senders, *agents, watcher] if c not in sending_side]
        assert [copies(c, message) for c in everyone_else] == [1] * len(everyone_else)
        assert sorted(copies(c, message) for c in sending_side) == [0] + [1] * (
            len(sending_side) - 1
        )
