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


def open_soak_clients(chat, clients):
    """A visitor per conversation and the agents following them all, transports mixed."""
    conversations = [chat.new_conversation(name=f"Visitor {n}") for n in range(VISITORS)]
    ids = [cid for cid, _token in conversations]
    transports = ["websocket", "polling"]
    visitors = [
        clients.visitor(chat.url, transports[n % 2], cid, token, f"visitor{n}")
        for n, (cid, token) in enumerate(conversations)
    ]
    agents = [
        clients.agent(
            chat.url, transports[n % 2], chat.agent_token, ids, f"agent{n}", max_in_flight=4
        )
        for n in range(AGENTS)
    ]
    return ids, visitors, agents


class Chaos:
    """Random chatting, typing, reloads and dropped connections, and once the kill."""

    def __init__(self, rng, chat, ids, visitors, agents):
        self.rng, self.chat, self.ids = rng, chat, ids
        self.visitors, self.agents = visitors, agents
        self.everyone = [*visitors, *agents]
        self.busy: set = set()  # clients in the middle of a reload
        self.lock = threading.Lock()
        self.counts = {"reloads": 0, "drops": 0, "kills": 0}

    def run(self, seconds: float, kill: bool) -> None:
        started = time.monotonic()
        killed = not kill
        while (elapsed := time.monotonic() - started) < seconds:
            if not killed and elapsed > seconds / 2:
                self.chat.server.kill()
                time.sleep(self.rng.uniform(0.2, 1.0))
                self.chat.server.start()
                killed, self.counts["kills"] = True, self.counts["kills"] + 1
            self.act(self.rng.random())
            time.sleep(TICK)
        wait_until(lambda: not self.busy, 30, "reloads to finish")

    def act(self, roll: float) -> None:
        rng = self.rng
        if roll < 0.55:
            rng.choice(self.visitors).send(f"visitor text {rng.randrange(10**6)}")
        elif roll < 0.80:
            rng.choice(self.agents).send(
                f"agent reply {rng.randrange(10**6)}", rng.choice(self.ids)
            )
        elif roll < 0.85:
            rng.choice(self.visitors).typing(True, wait=False)
        elif roll < 0.87:
            self.reload(rng.choice(self.everyone))
        elif roll < 0.88:
            client = rng.choice([c for c in self.everyone if c.transport == "websocket"])
            self.counts["drops"] += 1
            client.drop()

    def reload(self, client) -> None:
        with self.lock:
            if client in self.busy:
                return
            self.busy.add(client)
        self.counts["reloads"] += 1
        threading.Thread(target=self._reload, args=(client,), daemon=True).start()

    def _reload(self, client) -> None:
        try:
            client.reload(pause=self.rng.uniform(0.1, 1.0))
        finally:
            with self.lock:
                self.busy.discard(client)


def wait_for_convergence(chat, ids, visitors, agents, stored: dict) -> bool:
    """Whether every client settled and shows what is stored (kept in ``stored``)."""
    everyone = [*visitors, *agents]
    deadline = time.monotonic() + 90

    def settled():
        return all(client.settled() for client in everyone)

    wait_until(settled, max(1.0, deadline - time.monotonic()), "every client to settle", 0.2)

    def converged():
        stored.clear()
        stored.update({cid: chat.stored(cid) for cid in ids})
        if not settled():
            return False
        shown = {cid: view(messages) for cid, messages in stored.items()}
        return all(view(v.messages()) == shown[v.conversation_id] for v in visitors) and all(
            view(a.messages(cid)) == shown[cid] for a in agents for cid in ids
        )

    try:
        wait_until(converged, max(1.0, deadline - time.monotonic()), "every view to match", 0.5)
    except AssertionError:
        return False
    return True


def seqs_held(client, cid, stored) -> int:
    """How many of a conversation's stored messages the client holds."""
    return len({m["seq"] for m in client.messages(cid)} & {m["seq"] for m in stored[cid]})


def tally(everyone, visitors, agents, ids, stored) -> dict:
    """What was written, acknowledged, stored, received, duplicated and lost."""
    written = {(c.role, cid) for c in everyone for cid in c.attempts} | {
        (c.role, item.client_id) for c in everyone for item in c.outbox
    }
    acked = {(c.role, cid) for c in everyone for cid in c.acked}
    stored_keys = [(m["sender"], m["client_id"]) for ms in stored.values() for m in ms]
    agents_held = [sum(seqs_held(a, cid, stored) for cid in ids) for a in agents]
    received = min(sum(seqs_held(v, v.conversation_id, stored) for v in visitors), *agents_held)
    duplicates = (
        len(stored_keys)
        - len(set(stored_keys))
        + sum(c.duplicate_events() for c in everyone)
        + sum(len(c.conflicts()) for c in everyone)
    )
    return {
        "written": written,
        "acked": acked,
        "stored_keys": stored_keys,
        "agents_held": agents_held,
        "received": received,
        "duplicates": duplicates,
        "lost": len(acked - set(stored_keys)) + (len(stored_keys) - received),
        "attempts": sum(sum(c.attempts.values()) for c in everyone),
        "reconnects": sum(c.connects - 1 for c in everyone),
    }


def test_soak(make_server, clients):
    rng = random.Random(SEED)
    chat = make_server(ASYNC_MODE)
    ids, visitors, agents = open_soak_clients(chat, clients)
    everyone = [*visitors, *agents]
    start_all(everyone)

    chaos = Chaos(rng, chat, ids, visitors, agents)
    chaos.run(SECONDS, KILL)
    stored = {}
    converged_in_time = wait_for_convergence(chat, ids, visitors, agents, stored)

    # The counts.
    counts = tally(everyone, visitors, agents, ids, stored)
    written, acked, stored_keys = counts["written"], counts["acked"], counts["stored_keys"]
    received, duplicates, lost = counts["received"], counts["duplicates"], counts["lost"]
    agents_held = counts["agents_held"]
    total_stored = len(stored_keys)
    print(
        f"\nsoak: {ASYNC_MODE} seconds={SECONDS:g} clients={len(everyone)} sent={len(written)}"
        f" attempts={counts['attempts']} acked={len(acked)} stored={total_stored}"
        f" received={received} duplicates={duplicates} lost={lost}"
        f" reconnects={counts['reconnects']} reloads={chaos.counts['reloads']}"
        f" drops={chaos.counts['drops']} kills={chaos.counts['kills']}"
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
