"""Soak: many conversations chatting while connections come and go.

30 visitors and 2 agents (WebSocket and long-polling mixed) chat at random
for ``SOAK_SECONDS`` (20 by default; e.g. ``SOAK_SECONDS=180`` for a longer
run). Meanwhile clients reload (close and reopen their connection), lose
their WebSocket without a close, and once, in the middle, the server is
killed (SIGKILL) and started again on the same database. ``SOAK_KILL=0``
leaves the kill out, ``SOAK_ASYNC_MODE=gevent`` runs the server on gevent
and ``SOAK_SEED`` changes the random choices. Clients are
``ReliableClient``s: they resend what was not acknowledged and catch up
after every reconnect.

At the end every message written was acknowledged and stored exactly once,
every conversation's seq is gapless, and every client shows exactly what is
stored, statuses included. One summary line is printed:
``soak: ... sent=N acked=N stored=N received=N duplicates=0 lost=0``.
"""

import os
import random
import threading
import time

import pytest

from tests.faults.helpers import assert_gapless, view, wait_until
from tests.harness.reliable_client import ReliableClient

pytestmark = pytest.mark.live

SECONDS = float(os.environ.get("SOAK_SECONDS", 20))
KILL = os.environ.get("SOAK_KILL", "1") != "0"
SEED = int(os.environ.get("SOAK_SEED", 20240611))
ASYNC_MODE = os.environ.get("SOAK_ASYNC_MODE", "eventlet")
VISITORS = 30
AGENTS = 2
TICK = 0.025  # seconds between random actions


def start_all(clients):
    threads = [threading.Thread(target=client.start) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(client.connected for client in clients)


def test_soak(make_server, clients):
    rng = random.Random(SEED)
    chat = make_server(ASYNC_MODE)
    conversations = [chat.new_conversation(name=f"Visitor {n}") for n in range(VISITORS)]
    ids = [cid for cid, _token in conversations]
    transports = ["websocket", "polling"]
    visitors = [
        clients.add(
            ReliableClient(
                chat.url,
                transports[n % 2],
                visitor_token=token,
                conversation_id=cid,
                label=f"visitor{n}",
                receipts=("delivered", "seen"),
            )
        )
        for n, (cid, token) in enumerate(conversations)
    ]
    agents = [
        clients.add(
            ReliableClient(
                chat.url,
                transports[n % 2],
                agent_token=chat.agent_token,
                follow=tuple(ids),
                label=f"agent{n}",
                max_in_flight=4,
            )
        )
        for n in range(AGENTS)
    ]
    everyone = [*visitors, *agents]
    start_all(everyone)

    busy: set = set()  # clients in the middle of a reload
    lock = threading.Lock()
    counts = {"reloads": 0, "drops": 0, "kills": 0}

    def reload(client):
        try:
            client.reload(pause=rng.uniform(0.1, 1.0))
        finally:
            with lock:
                busy.discard(client)

    started = time.monotonic()
    killed = not KILL
    while (elapsed := time.monotonic() - started) < SECONDS:
        if not killed and elapsed > SECONDS / 2:
            chat.server.kill()
            time.sleep(rng.uniform(0.2, 1.0))
            chat.server.start()
            killed, counts["kills"] = True, counts["kills"] + 1
        roll = rng.random()
        if roll < 0.55:
            rng.choice(visitors).send(f"visitor text {rng.randrange(10**6)}")
        elif roll < 0.80:
            rng.choice(agents).send(f"agent reply {rng.randrange(10**6)}", rng.choice(ids))
        elif roll < 0.85:
            rng.choice(visitors).typing(True, wait=False)
        elif roll < 0.87:
            client = rng.choice(everyone)
            with lock:
                if client in busy:
                    continue
                busy.add(client)
            counts["reloads"] += 1
            threading.Thread(target=reload, args=(client,), daemon=True).start()
        elif roll < 0.88:
            client = rng.choice([c for c in everyone if c.transport == "websocket"])
            counts["drops"] += 1
            client.drop()
        time.sleep(TICK)

    wait_until(lambda: not busy, 30, "reloads to finish")
    deadline = time.monotonic() + 90

    def settled():
        return all(client.settled() for client in everyone)

    wait_until(settled, max(1.0, deadline - time.monotonic()), "every client to settle", 0.2)
    stored = {}

    def converged():
        stored.clear()
        stored.update({cid: chat.stored(cid) for cid in ids})
        if not settled():
            return False
        shown = {cid: view(messages) for cid, messages in stored.items()}
        return all(view(v.messages()) == shown[v.conversation_id] for v in visitors) and all(
            view(a.messages(cid)) == shown[cid] for a in agents for cid in ids
        )

    converged_in_time = True
    try:
        wait_until(converged, max(1.0, deadline - time.monotonic()), "every view to match", 0.5)
    except AssertionError:
        converged_in_time = False

    # The counts.
    written = {(c.role, cid) for c in everyone for cid in c.attempts} | {
        (c.role, item.client_id) for c in everyone for item in c.outbox
    }
    acked = {(c.role, cid) for c in everyone for cid in c.acked}
    stored_keys = [(m["sender"], m["client_id"]) for ms in stored.values() for m in ms]
    total_stored = len(stored_keys)
    seqs_held = [
        len({m["seq"] for m in v.messages()} & {m["seq"] for m in stored[v.conversation_id]})
        for v in visitors
    ]
    agents_held = [
        sum(
            len({m["seq"] for m in a.messages(cid)} & {m["seq"] for m in stored[cid]})
            for cid in ids
        )
        for a in agents
    ]
    received = min(sum(seqs_held), *agents_held)
    duplicates = (
        len(stored_keys)
        - len(set(stored_keys))
        + sum(c.duplicate_events() for c in everyone)
        + sum(len(c.conflicts()) for c in everyone)
    )
    lost = len(acked - set(stored_keys)) + (total_stored - received)
    attempts = sum(sum(c.attempts.values()) for c in everyone)
    reconnects = sum(c.connects - 1 for c in everyone)
    print(
        f"\nsoak: {ASYNC_MODE} seconds={SECONDS:g} clients={len(everyone)} sent={len(written)}"
        f" attempts={attempts} acked={len(acked)} stored={total_stored} received={received}"
        f" duplicates={duplicates} lost={lost} reconnects={reconnects}"
        f" reloads={counts['reloads']} drops={counts['drops']} kills={counts['kills']}"
    )

    assert converged_in_time, "clients did not settle on what is stored"
    for messages in stored.values():
        assert_gapless(messages)
    assert all(not c.failed for c in everyone), [c.failed for c in everyone if c.failed]
    assert len(acked) == len(written) == total_stored
    assert acked == set(stored_keys)
    assert received == total_stored
    assert duplicates == 0 and lost == 0
    for agent in agents:
        assert agents_held.pop(0) == total_stored, agent
