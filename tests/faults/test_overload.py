"""One client must not be able to make the server grow or stall for everyone.

A real server process, attacked with raw long-polling requests: the work one
connection can queue (events per request, answers it does not read) is
bounded, and another visitor's messages are still acknowledged at once.
"""

import threading
import time

import pytest

from tests.faults.helpers import RawPolling, event_packets, resident_bytes, wait_until
from tests.harness.clients import WAIT

pytestmark = pytest.mark.live

MB = 1024 * 1024
LONG_BODY = "x" * 5000


def fill_conversation(chat, clients, token: str, count: int) -> None:
    """``count`` messages of 5,000 characters, sent over one WebSocket."""
    tab = clients.live(chat.url, "websocket", "filler", visitor_token=token)
    for n in range(count):
        assert tab.call("send_message", {"client_id": f"long-{n}", "body": LONG_BODY})["ok"]
    tab.disconnect()


class AckTimer:
    """Another visitor sending a message every 0.2 s, timing each acknowledgement."""

    def __init__(self, client):
        self.client = client
        self.latencies: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        n = 0
        while not self.stop.is_set():
            n += 1
            started = time.monotonic()
            ack = self.client.call("send_message", {"client_id": f"t-{n}", "body": "Hi"}, 30)
            assert ack["ok"], ack
            self.latencies.append(time.monotonic() - started)
            self.stop.wait(0.2)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.stop.set()
        self.thread.join(60)


class PeakMemory:
    """The highest resident memory of a process, sampled every 20 ms."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = resident_bytes(pid)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, resident_bytes(self.pid))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.stop.set()
        self.thread.join()


def test_history_requests_never_read_cannot_grow_or_stall_the_server(make_server, clients):
    """The attack: a conversation of 100 long messages, then long-polling
    POSTs full of ``history {limit: 100}`` events whose answers are never read."""
    chat = make_server("eventlet", CHAT_HISTORY_RATE="30 per 10 seconds")
    _cid, token = chat.new_conversation(name="Mallory")
    fill_conversation(chat, clients, token, 100)
    _other_cid, other_token = chat.new_conversation(name="Ana")
    other = clients.live(chat.url, "websocket", "other visitor", visitor_token=other_token)
    history = {"limit": 100}
    before = resident_bytes(chat.server.process.pid)

    with PeakMemory(chat.server.process.pid) as memory, AckTimer(other) as acks:
        time.sleep(0.5)
        # One request holding 400 events.
        one_request = RawPolling(chat.url)
        one_request.connect({"visitor_token": token})
        everything = one_request.post(event_packets("history", history, 400))
        # Then requests of 100 events each, on another connection.
        many = RawPolling(chat.url)
        many.connect({"visitor_token": token})
        posted = [many.post(event_packets("history", history, 100, 100 * n)) for n in range(4)]
        time.sleep(3)
        wait_until(lambda: len(acks.latencies) >= 10, WAIT, "the other visitor's acks")

    grown = (memory.peak - before) / MB
    print(f"history attack: peak growth {grown:.1f} MB, slowest ack {max(acks.latencies):.2f} s")
    # Taken whole (under CHAT_MAX_POST_PACKETS): the rate limit answers most
    # of its events, and the queue bound closes the connection.
    assert everything.status_code == 200, everything.text
    assert grown < 40, f"the server grew by {grown:.0f} MB"
    assert max(acks.latencies) < 1.5, acks.latencies
    # The connection that queued too much (the first: the allowance went to
    # it) was closed; the second got only small rate_limited answers.
    assert one_request.post("3").status_code == 400
    assert [answer.status_code for answer in posted] == [200] * 4
    one_request.close()
    many.close()
    assert other.call("history", {})["ok"]


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_a_post_of_more_packets_than_allowed_is_refused_whole(make_server, async_mode):
    """At most CHAT_MAX_POST_PACKETS packets in one long-polling POST: more
    are answered 400 with the reason, none of them is handled, and the
    connection is closed."""
    chat = make_server(async_mode, CHAT_MAX_POST_PACKETS="20")
    cid, token = chat.new_conversation(name="Ana")
    most = RawPolling(chat.url)
    most.connect({"visitor_token": token})
    too_many = RawPolling(chat.url)
    too_many.connect({"visitor_token": token})
    message = {"client_id": "c", "body": "Hi"}

    accepted = most.post(event_packets("send_message", message, 20))
    refused = too_many.post(event_packets("send_message", {**message, "client_id": "d"}, 21))

    assert accepted.status_code == 200
    assert refused.status_code == 400
    assert "at most 20" in refused.text
    assert too_many.post("3").status_code == 400  # the connection is gone
    wait_until(lambda: len(chat.stored(cid)) == 1, WAIT, "the accepted message")
    assert [m["client_id"] for m in chat.stored(cid)] == ["c"]
    most.close()
    too_many.close()
    chat.assert_clean_log()


@pytest.mark.parametrize("async_mode", ["eventlet", "gevent"])
def test_a_client_that_does_not_read_is_closed_past_the_queued_bytes(
    make_server, clients, async_mode
):
    """Answers waiting for a client add up to CHAT_MAX_QUEUED_BYTES at most;
    a client that reads what it asks for is never affected."""
    chat = make_server(async_mode, CHAT_MAX_QUEUED_BYTES="300000")
    _cid, token = chat.new_conversation(name="Ana")
    fill_conversation(chat, clients, token, 20)  # a history page of about 100 KB
    reader = clients.live(chat.url, "polling", "reader", visitor_token=token)
    hoarder = RawPolling(chat.url)
    hoarder.connect({"visitor_token": token})

    hoarder.post(event_packets("history", {"limit": 100}, 5))
    pages = [reader.call("history", {"limit": 100}) for _ in range(8)]

    wait_until(lambda: hoarder.post("3").status_code == 400, WAIT, "the hoarder to be closed")
    assert all(len(page["messages"]) == 20 for page in pages)
    assert reader.connected
    hoarder.close()
    chat.assert_clean_log()
