"""A bare Flask-SocketIO relay with the chat's topology and no database.

It is the reference point the chat server is measured against: the same
rooms, events, acknowledgements and fan-out, but nothing stored, so what it
costs is what Flask-SocketIO and the async server cost by themselves.

- A visitor connects with ``auth: {visitor_token: "v<N>"}`` and joins the
  room ``conversation:<N>``; an agent connects with ``auth: {token: ...}`` and
  joins the room ``agents``.
- ``send_message`` answers ``{ok, message}`` (a protocol Message with an
  in-memory ``seq``) and emits ``message`` to the conversation's room and the
  agents, skipping the sender.
- ``receipt`` answers ``{ok: true}`` and emits ``receipt`` to the
  conversation's room and the agents.
- ``typing`` answers ``{ok: true}`` and emits ``typing`` to the other side,
  as the chat does: a visitor's to the agents who have the conversation open
  (the room ``conversation:<N>:agents``, which agents join with ``join``), an
  agent's to the visitor's room.
- ``join`` (agents) answers ``{ok: true}`` and joins that room.

Usage::

    python bench/relay.py --port 5100 [--nodelay] [--async-mode gevent]

By default it runs ``socketio.run()`` with its defaults (Nagle's algorithm on);
``--nodelay`` (or ``RELAY_TCP_NODELAY=1``) serves from a listening socket with
``TCP_NODELAY`` set, as the chat's production server does.
"""

import argparse
import os
import sys


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 5100)))
    parser.add_argument(
        "--async-mode",
        choices=("eventlet", "gevent"),
        default=os.environ.get("SOCKETIO_ASYNC_MODE", "eventlet"),
    )
    parser.add_argument(
        "--nodelay",
        action="store_true",
        default=os.environ.get("RELAY_TCP_NODELAY", "").lower() in {"1", "true", "yes", "on"},
        help="set TCP_NODELAY on the accepted sockets",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=int(os.environ.get("MAX_CONNECTIONS", 0)) or None,
        help="raise the server's connection cap (eventlet's default is 1,024)",
    )
    return parser.parse_args(argv)


ARGS = parse_args()

# Monkey patching comes before anything else is imported.
if ARGS.async_mode == "eventlet":
    import eventlet

    eventlet.monkey_patch()
else:
    from gevent import monkey

    monkey.patch_all()

import functools  # noqa: E402
import itertools  # noqa: E402
import socket  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

from engineio import payload  # noqa: E402
from flask import Flask, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402

AGENTS_ROOM = "agents"

app = Flask(__name__)
app.config["SECRET_KEY"] = "relay"
socketio = SocketIO(app, async_mode=ARGS.async_mode, cors_allowed_origins="*")
# A long-polling POST may carry up to 1,000 packets, as the chat allows
# (CHAT_MAX_POST_PACKETS): with python-engineio's own bound (16), an agent's
# POST of buffered receipts is dropped, and the relay would be measured
# doing less work than the chat.
payload.Payload.max_decode_packets = 1000

identities: dict[str, tuple[str, int | None]] = {}  # sid -> (role, conversation id)
sequences: dict[int, itertools.count] = {}
message_ids = itertools.count(1)


def now_iso() -> str:
    moment = datetime.now(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="milliseconds") + "Z"


def rooms_of(conversation_id: int) -> list[str]:
    return [f"conversation:{conversation_id}", AGENTS_ROOM]


def watchers_room(conversation_id: int) -> str:
    """The agents who have the conversation open."""
    return f"conversation:{conversation_id}:agents"


def invalid(text: str) -> dict:
    return {"ok": False, "error": {"code": "invalid", "message": text}}


@socketio.on("connect")
def on_connect(auth=None):
    auth = auth if isinstance(auth, dict) else {}
    token = auth.get("visitor_token")
    if isinstance(token, str) and token[:1] == "v" and token[1:].isdigit():
        conversation_id = int(token[1:])
        identities[request.sid] = ("visitor", conversation_id)
        join_room(f"conversation:{conversation_id}")
        return
    if isinstance(auth.get("token"), str) and auth["token"]:
        identities[request.sid] = ("agent", None)
        join_room(AGENTS_ROOM)
        return
    raise ConnectionRefusedError("unauthorized")


@socketio.on("disconnect")
def on_disconnect(reason=None):
    identities.pop(request.sid, None)


def about_a_conversation(handler):
    """An event about one conversation: a visitor's own, or the one an agent
    names. ``handler(payload, role, conversation_id)`` runs for a payload
    that is an object and names a conversation; anything else is invalid."""

    @functools.wraps(handler)
    def checked(payload=None):
        if not isinstance(payload, dict):
            return invalid("the payload must be one JSON object")
        role, conversation_id = identities[request.sid]
        if role == "agent":
            conversation_id = payload.get("conversation_id")
            if not isinstance(conversation_id, int):
                return invalid("conversation_id is required")
        return handler(payload, role, conversation_id)

    return checked


@socketio.on("send_message")
@about_a_conversation
def send_message(payload: dict, role: str, conversation_id: int):
    body, client_id = payload.get("body"), payload.get("client_id")
    if not isinstance(body, str) or not body.strip() or not isinstance(client_id, str):
        return invalid("client_id and body are required")
    seq = next(sequences.setdefault(conversation_id, itertools.count(1)))
    message = {
        "id": next(message_ids),
        "conversation_id": conversation_id,
        "seq": seq,
        "client_id": client_id,
        "sender": role,
        "author": {"name": "Visitor" if role == "visitor" else "Agent"},
        "body": body.strip(),
        "created_at": now_iso(),
        "delivered_at": None,
        "seen_at": None,
        "status": "sent",
    }
    socketio.emit("message", message, to=rooms_of(conversation_id), skip_sid=request.sid)
    return {"ok": True, "message": message}


@socketio.on("receipt")
@about_a_conversation
def receipt(payload: dict, role: str, conversation_id: int):
    event = {
        "conversation_id": conversation_id,
        "status": payload.get("status"),
        "up_to_seq": payload.get("up_to_seq"),
        "by": role,
        "at": now_iso(),
    }
    socketio.emit("receipt", event, to=rooms_of(conversation_id))
    return {"ok": True}


@socketio.on("typing")
@about_a_conversation
def typing(payload: dict, role: str, conversation_id: int):
    """Tells the other side: a visitor's typing goes to the agents who have the
    conversation open, an agent's to the visitor's sockets."""
    if not isinstance(payload.get("is_typing"), bool):
        return invalid("is_typing is required")
    event = {
        "conversation_id": conversation_id,
        "sender": role,
        "name": "Visitor" if role == "visitor" else "Agent",
        "is_typing": payload["is_typing"],
    }
    if role == "visitor":
        to = watchers_room(conversation_id)
    else:
        to = f"conversation:{conversation_id}"
    socketio.emit("typing", event, to=to)
    return {"ok": True}


@socketio.on("join")
@about_a_conversation
def join(payload: dict, role: str, conversation_id: int):
    """An agent opens a conversation: its visitor's typing reaches this socket."""
    if role != "agent":
        return {"ok": False, "error": {"code": "forbidden", "message": "agents only"}}
    join_room(watchers_room(conversation_id))
    return {"ok": True}


def listener(host: str, port: int) -> socket.socket:
    """A listening socket whose accepted sockets inherit TCP_NODELAY (Linux)."""
    sock = socket.create_server((host, port), backlog=2048)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def main() -> None:
    print(
        f"relay: {ARGS.async_mode}, TCP_NODELAY {'on' if ARGS.nodelay else 'off'}, "
        f"http://{ARGS.host}:{ARGS.port}",
        file=sys.stderr,
        flush=True,
    )
    if not ARGS.nodelay and ARGS.max_connections is None:
        socketio.run(app, host=ARGS.host, port=ARGS.port, log_output=False)
        return
    if ARGS.nodelay:
        sock = listener(ARGS.host, ARGS.port)
    elif ARGS.async_mode == "eventlet":
        sock = eventlet.listen((ARGS.host, ARGS.port))
    else:
        sock = socket.create_server((ARGS.host, ARGS.port), backlog=2048)
    if ARGS.async_mode == "eventlet":
        from eventlet import wsgi

        kwargs = {"max_size": ARGS.max_connections} if ARGS.max_connections else {}
        wsgi.server(sock, app, log_output=False, **kwargs)
    else:
        from gevent import pywsgi

        pywsgi.WSGIServer(sock, app, log=None).serve_forever()


if __name__ == "__main__":
    main()
