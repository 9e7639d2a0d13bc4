"""Work the server starts by itself: typing expiry, heartbeats, presence grace.

One maintenance loop per process and app, started with the first connection.
"""

import logging
import threading

from flask import Flask

from app import db, socketio
from app.chat import broadcast, presence, service

log = logging.getLogger(__name__)
_lock = threading.Lock()
# Once a second, for up to this many seconds, after a deletion.
TRUNCATE_LOG_ATTEMPTS = 300


def ensure_started(app: Flask) -> None:
    with _lock:
        state = app.extensions.setdefault("chat_background", {"stop": False})
        if state.get("started"):
            return
        state["started"] = True
    socketio.start_background_task(_maintenance_loop, app, state)


def stop(app: Flask) -> None:
    """Ask the loop of this app to end (tests create many apps)."""
    app.extensions.setdefault("chat_background", {})["stop"] = True


def _maintenance_loop(app: Flask, state: dict) -> None:
    interval = min(1.0, app.config["CHAT_TYPING_TIMEOUT"] / 4)
    single_process = not app.config["SOCKETIO_MESSAGE_QUEUE"]
    since_heartbeat = float(presence.HEARTBEAT_SECONDS)
    while not state["stop"]:
        with app.app_context():
            try:
                _expire_typing()
                broadcast.disconnect_all(presence.revoked_sids())
                if since_heartbeat >= presence.HEARTBEAT_SECONDS:
                    since_heartbeat = 0.0
                    grace = app.config["CHAT_PRESENCE_GRACE"]
                    for cid in presence.heartbeat(single_process, grace):
                        _announce_if_visitor_gone(cid)
                    if presence.agents_overdue(grace):
                        _announce_if_agents_gone()
            except Exception:
                log.exception("chat maintenance failed")
                db.session.rollback()
            finally:
                db.session.remove()
        socketio.sleep(interval)
        since_heartbeat += interval


def _expire_typing() -> None:
    for conversation_id, side in service.expire_typing():
        conversation = service.find_conversation(conversation_id)
        if conversation is None:
            continue
        if side == "agent":
            name = conversation.agent_typing_name or ""
        else:
            name = conversation.visitor_display_name
        broadcast.typing(conversation_id, side, name, False)
        if side == "visitor":
            broadcast.summary(conversation_id)


def _announce_if_visitor_gone(conversation_id: int) -> None:
    if presence.settle_visitor_offline(conversation_id):
        broadcast.visitor_presence(conversation_id, False)


def settle_visitor_later(app: Flask, conversation_id: int) -> None:
    """After the grace period, announce the visitor offline if no tab came back."""
    socketio.start_background_task(_after_grace, app, _announce_if_visitor_gone, conversation_id)


def settle_agents_later(app: Flask) -> None:
    """After the grace period, tell visitors if no agent is online any more."""
    socketio.start_background_task(_after_grace, app, _announce_if_agents_gone)


def _announce_if_agents_gone() -> None:
    if presence.settle_agents_offline():
        broadcast.agent_presence(False)


def truncate_log_later(app: Flask) -> None:
    """Empty SQLite's write-ahead log as soon as no reader holds it.

    A deleted conversation's text stays in the log until then.
    """
    socketio.start_background_task(_truncate_log_until_done, app)


def _truncate_log_until_done(app: Flask) -> None:
    for _attempt in range(TRUNCATE_LOG_ATTEMPTS):
        socketio.sleep(1)
        if app.extensions.get("chat_background", {}).get("stop"):
            return
        with app.app_context():
            try:
                if service.truncate_log():
                    return
            except Exception:
                log.exception("emptying the database log failed")
            finally:
                db.session.remove()
    log.warning("the database log stayed busy; deleted text remains in it until it is emptied")


def _after_grace(app: Flask, announce, *args) -> None:
    socketio.sleep(app.config["CHAT_PRESENCE_GRACE"])
    if app.extensions.get("chat_background", {}).get("stop"):
        return
    with app.app_context():
        try:
            announce(*args)
        except Exception:
            log.exception("presence update failed")
            db.session.rollback()
        finally:
            db.session.remove()
