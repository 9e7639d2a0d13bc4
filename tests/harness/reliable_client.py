"""The reference client of the chat protocol in Python, doing every duty a client has.

Tests (and anything else in Python) that need an outbox or a catch-up use
this one; the widget and the inbox are the JavaScript clients.

It does what the bundled widget and inbox do, on python-socketio's ``Client``
with reconnection enabled, over WebSocket or long-polling:

- **Outbox.** Each message gets a ``client_id`` when it is written and stays
  in the outbox until the server acknowledges it. Sends go one at a time, in
  order (``max_in_flight`` raises that for load tests). A lost
  acknowledgement (timeout, disconnect) or a transient error (``internal``,
  ``rate_limited``) sends the same ``client_id`` again, at once after a
  reconnect, otherwise after a growing delay; a permanent error
  (``invalid``, ``too_large``, ``forbidden``, ``not_found``, ``conflict``) drops it.
- **Catch-up** after every (re)connect: an agent joins the conversations it
  follows, then ``history`` with ``after_seq``, page by page, from the first
  message whose status may still change (so receipts that were broadcast
  while this client was away are picked up too).
- **Receipts.** ``delivered`` (and ``seen``, for a client whose page is
  visible) up to the newest message of the other side below which nothing is
  missing, after every ``message`` event and every catch-up; receipts
  broadcast by others raise the statuses of the stored messages.
- **Dedupe by seq**: a message is kept once, whether it came as an event, an
  acknowledgement or a history page; statuses only go up.

It also counts what happened (events per seq, attempts per ``client_id``) so
tests can check that nothing was lost or duplicated.
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

from tests.harness.clients import InOrderClient

STATUS_RANK = {"sent": 0, "delivered": 1, "seen": 2}
PERMANENT_ERRORS = {"invalid", "too_large", "forbidden", "not_found", "conflict"}
PAGE = 100
_ids = itertools.count(1)


def failure(code: str, message: str) -> dict:
    return {"ok": False, "error": {"code": code, "message": message}}


@dataclass
class OutboxItem:
    client_id: str
    body: str
    conversation_id: int
    state: str = "queued"  # queued, in_flight or waiting
    epoch: int = 0  # the connection it was last sent on
    deadline: float = 0.0  # when an acknowledgement counts as lost
    not_before: float = 0.0  # when a waiting item may be sent again
    delay: float = 0.0
    attempts: int = 0
    errors: list = field(default_factory=list)


@dataclass
class ConversationState:
    """One conversation as this client holds it."""

    messages: dict = field(default_factory=dict)  # seq -> message
    events: Counter = field(default_factory=Counter)  # seq -> `message` events received
    receipts_sent: dict = field(default_factory=lambda: {"delivered": 0, "seen": 0})
    conflicts: list = field(default_factory=list)  # two different messages with one seq

    def contiguous(self) -> int:
        """The highest seq up to which no message is missing."""
        seq = 0
        while seq + 1 in self.messages:
            seq += 1
        return seq

    def ordered(self) -> list[dict]:
        return [self.messages[seq] for seq in sorted(self.messages)]


class ReliableClient:
    """A visitor (``visitor_token``) or an agent (``agent_token``) of one server."""

    def __init__(
        self,
        url: str,
        transport: str,
        *,
        visitor_token: str | None = None,
        conversation_id: int | None = None,
        agent_token: str | None = None,
        follow: tuple[int, ...] = (),
        label: str = "client",
        receipts: tuple[str, ...] = ("delivered",),
        max_in_flight: int = 1,
        ack_timeout: float = 10.0,
        retry_delay: float = 0.2,
        retry_delay_max: float = 2.0,
        reconnection_delay: float = 0.2,
        reconnection_delay_max: float = 1.0,
    ):
        if (visitor_token is None) == (agent_token is None):
            raise ValueError("give a visitor_token or an agent_token")
        self.url = url
        self.transport = transport
        self.label = label
        self.role = "visitor" if visitor_token else "agent"
        self.other = "agent" if self.role == "visitor" else "visitor"
        self.auth = {"visitor_token": visitor_token} if visitor_token else {"token": agent_token}
        if self.role == "visitor":
            if conversation_id is None:
                raise ValueError("a visitor knows its conversation_id")
            follow = (conversation_id,)
        self.conversation_id = conversation_id
        self.following = list(follow)
        self.auto_receipts = receipts
        self.max_in_flight = max_in_flight
        self.ack_timeout = ack_timeout
        self.retry_delay = retry_delay
        self.retry_delay_max = retry_delay_max
        self._init_state()
        self._prefix = f"{label}-{next(_ids)}"
        self._numbers = itertools.count(1)
        self._http = requests.Session()
        self.sio = self._socket(reconnection_delay, reconnection_delay_max)
        self._worker = threading.Thread(target=self._work, name=f"{label}-worker", daemon=True)

    def _init_state(self) -> None:
        """What the client holds: its conversations, outbox, answers and counts."""
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.threads = {cid: ConversationState() for cid in self.following}
        self.outbox: list[OutboxItem] = []
        self.acked: dict[str, dict] = {}  # client_id -> the stored message
        self.failed: dict[str, dict] = {}  # client_id -> the permanent error
        self.attempts: Counter = Counter()  # client_id -> send_message emits
        self.error_codes: Counter = Counter()  # error code -> send_message answers with it
        self.typing_events: list[tuple[float, dict]] = []
        self.presence_events: list[tuple[float, dict]] = []
        self.receipt_events: list[dict] = []
        self.connect_errors: list = []
        self.connects = 0
        self.disconnects = 0
        self.epoch = 0
        self.synced = False
        self.closing = False
        self._waiters: set[threading.Event] = set()

    def _socket(self, reconnection_delay: float, reconnection_delay_max: float) -> InOrderClient:
        """A Socket.IO client that reconnects by itself, with this client's handlers."""
        sio = InOrderClient(
            reconnection=True,
            reconnection_attempts=0,
            reconnection_delay=reconnection_delay,
            reconnection_delay_max=reconnection_delay_max,
            randomization_factor=0.2,
            handle_sigint=False,
            http_session=self._http,
        )
        sio.on("connect", self._on_connect)
        sio.on("disconnect", self._on_disconnect)
        sio.on("connect_error", self._on_connect_error)
        sio.on("message", self._on_message)
        sio.on("receipt", self._on_receipt)
        sio.on("typing", self._on_typing)
        sio.on("presence", self._on_presence)
        return sio

    def __repr__(self):
        return f"<ReliableClient {self.label} ({self.role}) over {self.transport}>"

    # What the person using the client does.

    def start(self, timeout: float = 10.0) -> ReliableClient:
        """Connect (retrying while the server is unreachable) and start working."""
        self._worker.start()
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._connect()
                return self
            except Exception:
                if self.connect_errors and self.connect_errors[-1] == {"message": "unauthorized"}:
                    raise
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def send(self, body: str, conversation_id: int | None = None) -> str:
        """Write a message: it goes into the outbox; returns its client_id."""
        cid = self._conversation(conversation_id)
        client_id = f"{self._prefix}-{next(self._numbers)}"
        with self.changed:
            self.outbox.append(OutboxItem(client_id, body, cid))
            self.changed.notify_all()
        return client_id

    def typing(self, is_typing: bool, conversation_id: int | None = None, wait: bool = True):
        """Tell the other side; returns the acknowledgement, or None with ``wait=False``."""
        payload = self._addressed({"is_typing": is_typing}, self._conversation(conversation_id))
        if wait:
            return self.call("typing", payload, timeout=5)
        try:
            self.sio.emit("typing", payload, callback=lambda *args: None)
        except Exception:
            pass
        return None

    def follow(self, conversation_id: int) -> None:
        """An agent opens a conversation: it is joined and caught up on every connect."""
        with self.changed:
            if conversation_id not in self.following:
                self.following.append(conversation_id)
                self.threads.setdefault(conversation_id, ConversationState())
                self.synced = False
                self.changed.notify_all()

    def reload(self, pause: float = 0.5) -> None:
        """Close the connection as a page reload does, then open it again."""
        if not self.sio.connected:
            return
        try:
            self.sio.disconnect()
        except Exception:
            pass
        time.sleep(pause)
        self._reconnect_later(delay=0.0)

    def drop(self) -> None:
        """Lose the WebSocket connection without a close; the client reconnects."""
        ws = getattr(self.sio.eio, "ws", None)
        sock = getattr(ws, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()
            self._release_waiters()
        try:
            self.sio.disconnect()
        except Exception:
            pass
        self.sio.shutdown()
        if self._worker.is_alive():
            self._worker.join(5)
        self._http.close()

    # What a test looks at.

    @property
    def connected(self) -> bool:
        return self.sio.connected

    def messages(self, conversation_id: int | None = None) -> list[dict]:
        with self.lock:
            return self.threads[self._conversation(conversation_id)].ordered()

    def thread(self, conversation_id: int | None = None) -> ConversationState:
        return self.threads[self._conversation(conversation_id)]

    def settled(self) -> bool:
        """Connected, caught up, nothing waiting to be sent or acknowledged."""
        with self.lock:
            return (
                self.sio.connected
                and self.synced
                and not self.outbox
                and not self._receipts_wanted()
            )

    def pending(self) -> list[str]:
        with self.lock:
            return [item.client_id for item in self.outbox]

    def duplicate_events(self) -> int:
        """``message`` events received more than once for the same seq."""
        with self.lock:
            return sum(
                count - 1
                for thread in self.threads.values()
                for count in thread.events.values()
                if count > 1
            )

    def conflicts(self) -> list:
        with self.lock:
            return [c for thread in self.threads.values() for c in thread.conflicts]

    def wait(self, condition, timeout: float, what: str):
        """Wait until ``condition(self)`` is true; checked on every change."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                value = condition(self)
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{self!r} waited {timeout}s for {what}; outbox={self.pending()} "
                        f"connected={self.sio.connected} synced={self.synced}"
                    )
                self.changed.wait(min(left, 0.05))

    # Requests with acknowledgements, released by a disconnect.

    def call(self, event: str, payload: dict, timeout: float | None = None) -> dict:
        """Emit and wait for the acknowledgement; a lost one answers code "timeout"."""
        done = threading.Event()
        answer: list = []

        def acknowledge(*args):
            answer.append(args[0] if args else None)
            done.set()

        with self.lock:
            if not self.sio.connected or self.closing:
                return failure("timeout", "not connected")
            self._waiters.add(done)
        try:
            self.sio.emit(event, payload, callback=acknowledge)
            done.wait(self.ack_timeout if timeout is None else timeout)
        except Exception as exc:
            return failure("timeout", f"not sent: {exc}")
        finally:
            with self.lock:
                self._waiters.discard(done)
        if not answer:
            return failure("timeout", "no acknowledgement")
        ack = answer[0]
        return ack if isinstance(ack, dict) else failure("internal", f"odd answer {ack!r}")

    def _release_waiters(self) -> None:
        for waiter in self._waiters:
            waiter.set()
        self._waiters.clear()

    # Connection events (they run on the client's read loop: no waiting here).

    def _on_connect(self):
        with self.changed:
            self.connects += 1
            self.epoch += 1
            self.synced = False
            for item in self.outbox:
                # A reconnect sends everything waiting at once, as the widget does.
                if item.state == "waiting":
                    item.state, item.delay = "queued", 0.0
            self.changed.notify_all()

    def _on_disconnect(self, reason=None):
        # python-engineio's client leaves the socket of a WebSocket that
        # failed open; its read loop has ended, nothing will read it again.
        ws = getattr(self.sio.eio, "ws", None)
        if reason == self.sio.reason.TRANSPORT_ERROR and ws is not None:
            ws.shutdown()
        with self.changed:
            self.disconnects += 1
            self.synced = False
            for item in self.outbox:
                if item.state == "in_flight":
                    item.state = "queued"
                    item.errors.append("disconnected")
            self._release_waiters()
            self.changed.notify_all()
        if reason == self.sio.reason.SERVER_DISCONNECT and not self.closing:
            # python-socketio does not reconnect after the server closed the socket.
            threading.Thread(target=self._reconnect_later, daemon=True).start()

    def _connect(self) -> None:
        self.sio.connect(self.url, auth=self.auth, transports=[self.transport], wait_timeout=5)

    def _reconnect_later(self, delay: float = 0.5):
        while not self.closing and not self.sio.connected:
            time.sleep(delay)
            delay = 0.5
            try:
                self._connect()
            except Exception:
                continue

    def _on_connect_error(self, data=None):
        with self.changed:
            self.connect_errors.append(data)
            self.changed.notify_all()

    def _on_message(self, message):
        with self.changed:
            thread = self.threads.get(message.get("conversation_id"))
            if thread is None:
                return  # a conversation this agent does not follow
            thread.events[message["seq"]] += 1
            self._store(thread, message)
            if message["sender"] == self.role:
                # Sent by another tab with the same outbox (not ours: ids are unique).
                self.outbox = [i for i in self.outbox if i.client_id != message["client_id"]]
            self.changed.notify_all()

    def _on_receipt(self, receipt):
        with self.changed:
            self.receipt_events.append(receipt)
            thread = self.threads.get(receipt.get("conversation_id"))
            if thread is None:
                return
            for seq, message in thread.messages.items():
                if seq <= receipt["up_to_seq"] and message["sender"] != receipt["by"]:
                    thread.messages[seq] = _raised(message, receipt["status"], receipt["at"])
            self.changed.notify_all()

    def _on_typing(self, payload):
        with self.changed:
            self.typing_events.append((time.monotonic(), payload))
            self.changed.notify_all()

    def _on_presence(self, payload):
        with self.changed:
            self.presence_events.append((time.monotonic(), payload))
            self.changed.notify_all()

    # The worker: catch-up, outbox, receipts.

    def _work(self):
        while True:
            with self.changed:
                if self.closing:
                    return
                self.changed.wait(0.05)
                if self.closing:
                    return
                connected, synced = self.sio.connected, self.synced
            if not connected:
                continue
            self._pump_outbox()
            if not synced:
                self._catch_up()
            else:
                self._send_receipts()

    def _catch_up(self):
        epoch = self.epoch
        for cid in list(self.following):
            if not self._catch_up_on(cid):
                return  # retried on the next connect, or next round
        with self.changed:
            if self.epoch == epoch and self.sio.connected:
                self.synced = True
            self.changed.notify_all()

    def _catch_up_on(self, cid: int) -> bool:
        """Join (an agent) and read the history of one conversation after
        what is known; False if a request failed."""
        if self.role == "agent":
            joined = self.call("join", {"conversation_id": cid})
            if not joined.get("ok"):
                return False
            with self.lock:
                for message in joined["messages"]:
                    self._store(self.threads[cid], message)
        with self.lock:
            after = self._catch_up_from(self.threads[cid])
        while True:
            page = self.call("history", self._addressed({"after_seq": after, "limit": PAGE}, cid))
            if not page.get("ok"):
                return False
            with self.changed:
                for message in page["messages"]:
                    self._store(self.threads[cid], message)
                self.changed.notify_all()
            if not page["has_more"] or not page["messages"]:
                return True
            after = page["messages"][-1]["seq"]

    @staticmethod
    def _catch_up_from(thread: ConversationState) -> int:
        """After the last message known without a gap, or before the first
        one whose status may still change, whichever comes first."""
        after = thread.contiguous()
        for seq in sorted(thread.messages):
            if seq > after:
                break
            if thread.messages[seq]["status"] != "seen":
                return seq - 1
        return after

    def _pump_outbox(self):
        with self.changed:
            due = self._due(time.monotonic())
        for item, epoch in due:
            try:
                self.sio.emit(
                    "send_message",
                    self._addressed(
                        {"client_id": item.client_id, "body": item.body}, item.conversation_id
                    ),
                    callback=lambda *args, item=item, epoch=epoch: self._on_send_ack(
                        item, epoch, args[0] if args else None
                    ),
                )
            except Exception:
                with self.changed:
                    if item.state == "in_flight":
                        item.state = "queued"

    def _due(self, now: float) -> list[tuple[OutboxItem, int]]:
        """The items to send now (with the connection they go on), marked in flight."""
        in_flight = self._expire(now)
        due = []
        for item in self.outbox:
            if in_flight >= self.max_in_flight:
                break
            if item.state == "waiting" and self.max_in_flight == 1:
                break  # in order: nothing overtakes a message waiting to be retried
            if item.state != "queued":
                continue
            item.state, item.epoch = "in_flight", self.epoch
            item.deadline = now + self.ack_timeout
            item.attempts += 1
            self.attempts[item.client_id] += 1
            in_flight += 1
            due.append((item, self.epoch))
        return due

    def _expire(self, now: float) -> int:
        """A send whose acknowledgement is overdue counts as lost, and a wait
        that is over ends; returns how many sends are still in flight."""
        in_flight = 0
        for item in self.outbox:
            if item.state == "in_flight" and item.epoch == self.epoch:
                if now < item.deadline:
                    in_flight += 1
                    continue
                item.errors.append("timeout")
                self._back_off(item, now)
            if item.state == "waiting" and now >= item.not_before:
                item.state = "queued"
        return in_flight

    def _on_send_ack(self, item: OutboxItem, epoch: int, ack):
        with self.changed:
            if not isinstance(ack, dict):
                ack = failure("internal", f"odd answer {ack!r}")
            if ack.get("ok"):
                message = ack["message"]
                self.acked[item.client_id] = message
                self.outbox = [i for i in self.outbox if i.client_id != item.client_id]
                self._store(self.threads[item.conversation_id], message)
                self.changed.notify_all()
                return
            code = ack["error"]["code"]
            self.error_codes[code] += 1
            if item in self.outbox and item.state == "in_flight" and item.epoch == epoch:
                item.errors.append(code)
                if code in PERMANENT_ERRORS:
                    self.failed[item.client_id] = ack["error"]
                    self.outbox.remove(item)
                else:
                    self._back_off(item, time.monotonic())
            self.changed.notify_all()

    def _back_off(self, item: OutboxItem, now: float):
        item.delay = min(max(item.delay * 2, self.retry_delay), self.retry_delay_max)
        item.state, item.not_before = "waiting", now + item.delay

    def _receipts_wanted(self) -> list[tuple[int, str, int]]:
        """(conversation, status, up_to_seq) of the receipts this client owes.

        Up to the newest message of the other side below which no message is
        missing: what this client has, it has received.
        """
        wanted = []
        for cid in self.following:
            thread = self.threads[cid]
            up_to = _highest_from(thread, self.other, thread.contiguous())
            for status in self.auto_receipts:
                if up_to > thread.receipts_sent[status]:
                    wanted.append((cid, status, up_to))
        return wanted

    def _send_receipts(self):
        with self.lock:
            wanted = self._receipts_wanted()
        for cid, status, up_to in wanted:
            ack = self.call("receipt", self._addressed({"status": status, "up_to_seq": up_to}, cid))
            if not ack.get("ok"):
                return  # tried again on the next round
            with self.changed:
                # The statuses change when the server's `receipt` event comes back.
                thread = self.threads[cid]
                thread.receipts_sent[status] = max(thread.receipts_sent[status], up_to)
                self.changed.notify_all()

    # Helpers.

    def _addressed(self, payload: dict, conversation_id: int) -> dict:
        """An agent names the conversation in every request; a visitor has one."""
        if self.role == "agent":
            payload["conversation_id"] = conversation_id
        return payload

    def _conversation(self, conversation_id: int | None) -> int:
        if self.role == "visitor":
            return self.conversation_id
        if conversation_id is None:
            if len(self.following) != 1:
                raise ValueError("name the conversation")
            return self.following[0]
        return conversation_id

    @staticmethod
    def _store(thread: ConversationState, message: dict) -> None:
        seq = message["seq"]
        known = thread.messages.get(seq)
        if known is None:
            thread.messages[seq] = dict(message)
            return
        same = ("id", "sender", "client_id", "body", "created_at")
        if any(known[key] != message[key] for key in same):
            thread.conflicts.append((known, message))
            return
        merged = dict(known)
        merged["delivered_at"] = known["delivered_at"] or message["delivered_at"]
        merged["seen_at"] = known["seen_at"] or message["seen_at"]
        if STATUS_RANK[message["status"]] > STATUS_RANK[known["status"]]:
            merged["status"] = message["status"]
        thread.messages[seq] = merged


def _highest_from(thread: ConversationState, sender: str, at_most: int) -> int:
    highest = 0
    for seq, message in thread.messages.items():
        if seq <= at_most and message["sender"] == sender and seq > highest:
            highest = seq
    return highest


def _raised(message: dict, status: str, stamp: str) -> dict:
    """The message with its status raised to ``status`` (never lowered)."""
    if STATUS_RANK[status] <= STATUS_RANK[message["status"]]:
        return message
    raised = dict(message, status=status)
    raised["delivered_at"] = message["delivered_at"] or stamp
    if status == "seen":
        raised["seen_at"] = message["seen_at"] or stamp
    return raised
