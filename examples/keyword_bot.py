#!/usr/bin/env python3
"""A keyword bot for the live chat: it answers visitors who ask about a
keyword ("opening hours" unless told otherwise), as the agent whose API token
it holds.

    CHAT_TOKEN=... python examples/keyword_bot.py --url http://127.0.0.1:5000

How it uses the API (docs/protocol.md):

* It connects one Socket.IO client with ``auth: {token}``. An agent socket
  receives every ``message`` of every conversation, without joining rooms.
* A visitor message that contains the keyword (in any case) gets the answer
  with ``send_message``. The answer's ``client_id`` is made from the visitor
  message it answers (``keyword-bot-<conversation>-<seq>``), so sending it
  again (after a lost acknowledgement, a reconnect, a restart of the bot)
  stores it once: the server answers with the message already stored.
* After every (re)connect it catches up on what it missed: the REST API
  lists the open conversations (``GET /api/v1/conversations``) and the
  socket's ``history`` event, from the last ``seq`` it saw, gives the missed
  messages. On its first connect it looks back ``--catch-up`` minutes only.
* It reconnects by itself, waiting longer after each failure (up to 30 s).
  It stops on a token that is revoked or expired (``unauthorized``) or that
  may only read (``forbidden``): make a read-write token in the inbox
  (API tokens) for it.

It needs python-socketio's client (``pip install "python-socketio[client]"``)
and requests.
"""

import argparse
import logging
import os
import queue
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests
import socketio

log = logging.getLogger("keyword_bot")

DEFAULT_KEYWORD = "opening hours"
DEFAULT_ANSWER = "We are open Monday to Friday, 9:00 to 17:00, and Saturday 10:00 to 14:00."
ACK_TIMEOUT = 10  # seconds to wait for the server's answer to an event
RETRY_EVERY = 5  # seconds between tries of answers that could not be sent
RECONNECT_MAX = 30  # the longest wait, in seconds, between tries to connect
# Answers the server refused for good: sending them again would not help.
GIVE_UP = {"invalid", "not_found", "too_large", "conflict"}
REVOKED = "the token is revoked, expired or wrong"
# The token cannot do the job at all: the bot stops.
FATAL = {"unauthorized", "forbidden"}


class Stop(Exception):
    """The bot cannot go on (its token is revoked or may only read)."""


class NoAnswer(socketio.exceptions.SocketIOError):
    """The connection closed before the server answered an event."""


@dataclass(frozen=True)
class Rule:
    keyword: str
    answer: str

    def matches(self, body: str) -> bool:
        return self.keyword.casefold() in body.casefold()


@dataclass(frozen=True)
class Reply:
    conversation_id: int
    client_id: str
    body: str


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class KeywordBot:
    """Answers keywords; all its work runs on one thread (``run``), fed by a
    queue that the socket's event handlers fill."""

    def __init__(
        self,
        url: str,
        token: str,
        rules: list[Rule],
        catch_up: timedelta,
        transports: list[str] | None = None,
    ):
        self.url = url.rstrip("/")
        self.token = token
        self.rules = rules
        self.catch_up_window = catch_up
        self.transports = transports or ["websocket"]
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        # The client's own Ctrl-C handler disconnects inside the signal
        # handler and waits there for the socket's reader thread, which can
        # wait in turn for a lock the interrupted main thread holds (a log
        # handler's, a queue's): the bot would hang. ``main`` handles Ctrl-C.
        self.sio = socketio.Client(
            reconnection=True,
            reconnection_delay=1,
            reconnection_delay_max=RECONNECT_MAX,
            logger=False,
            handle_sigint=False,
        )
        self.work: queue.Queue = queue.Queue()
        self.last_seq: dict[int, int] = {}  # conversation id -> highest seq seen
        self.pending: dict[str, Reply] = {}  # answers not yet stored, by client_id
        self.stopped = threading.Event()
        self.failure: str | None = None
        self.refusal: object = None  # why the server last refused to connect
        self.sio.on("connect", lambda: self.work.put(("connected", None)))
        self.sio.on("message", lambda message: self.work.put(("message", message)))
        self.sio.on("connect_error", self._refused)
        self.sio.on("disconnect", self._disconnected)

    # --- the socket's threads: hand everything to the worker ---------------------

    def _refused(self, data=None):
        message = data.get("message") if isinstance(data, dict) else data
        log.warning("connection refused: %s", message)
        self.refusal = message
        if message == "unauthorized":
            self.work.put(("fatal", REVOKED))

    def _disconnected(self, reason=None):
        log.warning("disconnected: %s", reason)
        # The client reconnects by itself after a lost connection, not after
        # the server closed it (as it does when the token is revoked): the
        # worker tries once more, to learn why.
        if reason == socketio.Client.reason.SERVER_DISCONNECT and not self.stopped.is_set():
            self.work.put(("closed by the server", None))

    # --- the worker ----------------------------------------------------------------

    def run(self) -> None:
        """Connect (retrying while the server is down) and work until stopped.

        ``failure`` says why it stopped by itself, if it did.
        """
        try:
            self._connect()
        except Stop as stop:
            self.failure = str(stop)
            log.error("%s", self.failure)
            return
        try:
            while not self.stopped.is_set():
                self._work_once()
        finally:
            self.sio.shutdown()  # also ends reconnection attempts under way
            self.http.close()

    def _connect(self) -> None:
        """Connect, retrying while the server cannot be reached, until
        stopped; ``Stop`` if it refuses the token."""
        delay = 1
        while not self.stopped.is_set():
            self.refusal = None
            try:
                self.sio.connect(self.url, auth={"token": self.token}, transports=self.transports)
                return
            except socketio.exceptions.ConnectionError as exc:
                if self.refusal == "unauthorized":
                    raise Stop(REVOKED) from None
                log.warning("cannot connect (%s); trying again in %s s", exc, delay)
            self.stopped.wait(delay)
            delay = min(2 * delay, RECONNECT_MAX)

    def stop(self) -> None:
        """Finish the step under way, disconnect and return from ``run``."""
        self.stopped.set()
        self.work.put(("stop", None))

    def _work_once(self) -> None:
        try:
            kind, data = self.work.get(timeout=RETRY_EVERY)
        except queue.Empty:
            self._send_pending()
            return
        try:
            if kind == "connected":
                log.info("connected to %s", self.url)
                self._catch_up()
            elif kind == "message":
                self._handle(data)
            elif kind == "closed by the server":
                self.sio.wait()  # until the old connection has fully ended
                self._connect()
            elif kind == "fatal":
                raise Stop(data)
            self._send_pending()
        except Stop as stop:
            self.failure = str(stop)
            log.error("stopping: %s", stop)
            self.stopped.set()
        except (requests.RequestException, socketio.exceptions.SocketIOError) as exc:
            # The connection dropped meanwhile: the next connect catches up.
            log.warning("interrupted (%s); going on after the next connect", exc)

    def _handle(self, message: dict, since: datetime | None = None) -> None:
        """Queue an answer to a visitor message that asks about a keyword."""
        cid, seq = message["conversation_id"], message["seq"]
        self.last_seq[cid] = max(seq, self.last_seq.get(cid, 0))
        if message["sender"] != "visitor":
            return
        if since is not None and parse_time(message["created_at"]) < since:
            return
        for rule in self.rules:
            if rule.matches(message["body"]):
                client_id = f"keyword-bot-{cid}-{seq}"
                self.pending[client_id] = Reply(cid, client_id, rule.answer)
                return

    def _catch_up(self) -> None:
        """Handle the messages of open conversations that came while away."""
        since = datetime.now(UTC) - self.catch_up_window
        response = self.http.get(
            f"{self.url}/api/v1/conversations", params={"view": "open", "limit": 100}, timeout=10
        )
        if response.status_code == 401:
            raise Stop(REVOKED)
        response.raise_for_status()
        for conversation in response.json()["conversations"]:
            last = conversation.get("last_message")
            cid = conversation["id"]
            if last is None or last["seq"] <= self.last_seq.get(cid, 0):
                continue
            if cid not in self.last_seq and parse_time(last["created_at"]) < since:
                continue
            self._catch_up_on(cid, since)

    def _catch_up_on(self, cid: int, since: datetime) -> None:
        known = self.last_seq.get(cid)
        payload = {"conversation_id": cid, "limit": 100}
        if known is not None:
            payload["after_seq"] = known
        page = self._call("history", payload)
        if not page["ok"]:
            log.warning("no history of conversation %s: %s", cid, page["error"])
            return
        for message in page["messages"]:
            self._handle(message, since=None if known is not None else since)

    def _send_pending(self) -> None:
        for reply in list(self.pending.values()):
            if not self.sio.connected:
                return
            ack = self._call(
                "send_message",
                {
                    "conversation_id": reply.conversation_id,
                    "client_id": reply.client_id,
                    "body": reply.body,
                },
            )
            if ack["ok"]:
                log.info("answered in conversation %s", reply.conversation_id)
                del self.pending[reply.client_id]
                continue
            code = ack["error"]["code"]
            if code in FATAL:
                raise Stop(f"the server says {code}: {ack['error']['message']}")
            if code in GIVE_UP:
                log.warning("answer %s refused: %s", reply.client_id, ack["error"])
                del self.pending[reply.client_id]
            else:  # rate_limited or internal: try again later
                return

    def _call(self, event: str, payload: dict) -> dict:
        """The server's answer to an event; ``NoAnswer`` when the connection
        closed first (python-socketio then gives an empty answer)."""
        ack = self.sio.call(event, payload, timeout=ACK_TIMEOUT)
        if not isinstance(ack, dict):
            raise NoAnswer(f"no answer to {event}: the connection closed")
        return ack


def parse_rule(text: str) -> Rule:
    keyword, sep, answer = text.partition("=")
    if not sep or not keyword.strip() or not answer.strip():
        raise argparse.ArgumentTypeError("write a rule as KEYWORD=ANSWER")
    return Rule(keyword.strip(), answer.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("CHAT_URL", "http://127.0.0.1:5000"))
    parser.add_argument(
        "--rule",
        action="append",
        type=parse_rule,
        metavar="KEYWORD=ANSWER",
        help=f'what to answer (repeatable; default: "{DEFAULT_KEYWORD}=...")',
    )
    parser.add_argument(
        "--catch-up",
        type=float,
        default=10,
        metavar="MINUTES",
        help="on start, answer visitor messages this recent (default 10)",
    )
    parser.add_argument("--polling", action="store_true", help="use HTTP long-polling only")
    args = parser.parse_args(argv)
    # The token comes from the environment, not the command line that
    # every user of the machine can read.
    token = os.environ.get("CHAT_TOKEN")
    if not token:
        parser.error("set CHAT_TOKEN to a read-write API token (inbox: API tokens)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    bot = KeywordBot(
        args.url,
        token,
        args.rule or [Rule(DEFAULT_KEYWORD, DEFAULT_ANSWER)],
        timedelta(minutes=args.catch_up),
        ["polling"] if args.polling else ["websocket"],
    )
    worker = threading.Thread(target=bot.run, name="keyword-bot", daemon=True)
    worker.start()
    try:
        # Ctrl-C may reach any of the bot's threads, and Python runs its
        # handler only when the main thread wakes up: so wake up often.
        while worker.is_alive():
            worker.join(0.2)
    except KeyboardInterrupt:
        log.info("stopping")
        bot.stop()
        worker.join()
    return 1 if bot.failure else 0


if __name__ == "__main__":
    sys.exit(main())
