"""The server dies (SIGKILL) or is stopped (SIGTERM) in the middle of a conversation.

Clients are ``ReliableClient``s: they reconnect by themselves, catch up with
``after_seq`` and resend what was not acknowledged with the same
``client_id``. Afterwards every side holds the same history as the database:
every acknowledged message, each once, in ``seq`` order without gaps, with
the same statuses.
"""

import threading
import time

import pytest

from tests.faults.conftest import ASYNC_MODES
from tests.faults.helpers import assert_converged

pytestmark = pytest.mark.live


def open_clients(chat, clients, transport, conversation_id, visitor_token, tabs=2, **options):
    """Visitor tabs (that have the chat on screen) and one agent following the conversation."""
    visitors = [
        clients.visitor(chat.url, transport, conversation_id, visitor_token, f"tab{n}", **options)
        for n in range(1, tabs + 1)
    ]
    desk = clients.agent(chat.url, transport, chat.agent_token, (conversation_id,), **options)
    for client in (*visitors, desk):
        client.start()
    return visitors, desk


def write(client, count, pause, prefix):
    """Write ``count`` messages, one every ``pause`` seconds (in a thread)."""

    def run():
        for n in range(count):
            client.send(f"{prefix} {n}")
            time.sleep(pause)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def assert_every_acknowledged_message_stored(stored, everyone):
    by_client_id = {(m["sender"], m["client_id"]): m for m in stored}
    for client in everyone:
        for client_id, message in client.acked.items():
            assert by_client_id[(client.role, client_id)]["seq"] == message["seq"]


@pytest.mark.parametrize("async_mode", ASYNC_MODES)
def test_server_killed_mid_conversation_loses_and_duplicates_nothing(
    make_server, clients, transport, async_mode
):
    chat = make_server(async_mode)
    cid, token = chat.new_conversation(name="Ana")
    visitors, desk = open_clients(chat, clients, transport, cid, token)
    everyone = [*visitors, desk]
    per_client = 30
    writers = [write(client, per_client, 0.03, f"from {client.label}") for client in everyone]
    desk.wait(lambda c: len(c.messages()) >= 20, 10, "the conversation to get going")

    chat.server.kill()
    acked_before_kill = {client.label: dict(client.acked) for client in everyone}
    time.sleep(0.5)  # clients keep writing into their outboxes meanwhile
    chat.server.start()

    for thread in writers:
        thread.join()
    stored = assert_converged(chat, cid, everyone)

    assert len(stored) == per_client * len(everyone)
    assert_every_acknowledged_message_stored(stored, everyone)
    stored_ids = {(m["sender"], m["client_id"]) for m in stored}
    for client in everyone:
        assert client.connects >= 2, f"{client!r} did not reconnect"
        for client_id in acked_before_kill[client.label]:
            assert (client.role, client_id) in stored_ids
    # Visitor messages were delivered to the agent, agent messages seen by the visitor.
    assert {m["status"] for m in stored if m["sender"] == "visitor"} == {"delivered"}
    assert {m["status"] for m in stored if m["sender"] == "agent"} == {"seen"}


@pytest.mark.parametrize("async_mode", ASYNC_MODES)
def test_sigterm_while_sending_stores_every_acknowledged_message_and_exits(
    make_server, clients, transport, async_mode
):
    chat = make_server(async_mode)
    cid, token = chat.new_conversation(name="Ana")
    visitors, desk = open_clients(chat, clients, transport, cid, token, max_in_flight=4)
    everyone = [*visitors, desk]
    writers = [write(client, 60, 0.01, f"from {client.label}") for client in everyone]
    desk.wait(lambda c: len(c.messages()) >= 20, 10, "the conversation to get going")

    started = time.monotonic()
    exit_code = chat.server.stop(timeout=10)
    took = time.monotonic() - started
    acked_before_exit = {client.label: dict(client.acked) for client in everyone}

    assert exit_code == 0, chat.server.log_tail()
    assert took < 3.0, f"the server took {took:.1f}s to exit"
    assert "shutting down" in chat.server.log_text()
    chat.server.start()
    for thread in writers:
        thread.join()
    stored = assert_converged(chat, cid, everyone)

    assert len(stored) == 60 * len(everyone)
    assert_every_acknowledged_message_stored(stored, everyone)
    stored_ids = {(m["sender"], m["client_id"]) for m in stored}
    for client in everyone:
        for client_id in acked_before_exit[client.label]:
            assert (client.role, client_id) in stored_ids
    # Sends that arrived while the server drained were answered "internal",
    # and sent again after the restart.
    assert sum(client.error_codes["internal"] for client in everyone) > 0
    assert set().union(*(client.error_codes for client in everyone)) == {"internal"}
