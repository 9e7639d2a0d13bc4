"""Work the server starts by itself: typing expiry, heartbeats, revocation,
presence after a grace period, and emptying SQLite's log after a deletion.

One maintenance loop per process and app, started with the first connection.
"""

import logging
import threading
import time

from flask import Flask

from app import db, socketio
from app.database import truncate_log
from app.realtime import counts, desk_events, emit, roster, summaries, wal_loop
from app.services import (
    availability,
    connections,
    files,
    lifecycle,
    presence,
    retention,
    typing,
)

log = logging.getLogger(__name__)
_lock = threading.Lock()
# Once a second, for up to this many seconds, after a deletion.
TRUNCATE_LOG_ATTEMPTS = 300
# How often each process deletes the conversations past the desk's retention.
RETENTION_SWEEP_SECONDS = 600


def ensure_started(app: Flask) -> None:
    with _lock:
        state = app.extensions.setdefault("chat_background", {"stop": False})
        if state.get("started"):
            return
        state["started"] = True
    socketio.start_background_task(_maintenance_loop, app, state)
    wal_loop.ensure_started(app)


def stop(app: Flask) -> None:
    """Ask the loop of this app to end (tests create many apps)."""
    app.extensions.setdefault("chat_background", {})["stop"] = True


def _stopped(app: Flask) -> bool:
    return app.extensions.get("chat_background", {}).get("stop", False)


class Overdue:
    """Things seen in a state for longer than a grace period, e.g. a visitor
    announced online with no socket: a reload is shorter, a process that
    died before announcing the change is not."""

    def __init__(self):
        self._since: dict[object, float] = {}

    def past(self, seen: set, grace: float) -> set:
        """Of what is ``seen`` now, what has been seen longer than ``grace``."""
        now = time.monotonic()
        self._since = {key: self._since.get(key, now) for key in seen}
        return {key for key, since in self._since.items() if now - since > grace}


def _maintenance_loop(app: Flask, state: dict) -> None:
    interval = min(1.0, app.config["CHAT_TYPING_TIMEOUT"] / 4)
    since_heartbeat = float(connections.HEARTBEAT_SECONDS)
    since_sweep = float(RETENTION_SWEEP_SECONDS)
    visitors_overdue, agents_overdue = Overdue(), Overdue()
    next_file_sweep = time.monotonic()
    while not state["stop"]:
        with app.app_context():
            try:
                _expire_typing()
                _wake_snoozes()
                emit.disconnect(connections.revoked_sids())
                if since_heartbeat >= connections.HEARTBEAT_SECONDS:
                    since_heartbeat = 0.0
                    _heartbeat(app, visitors_overdue, agents_overdue)
                if since_sweep >= RETENTION_SWEEP_SECONDS:
                    since_sweep = 0.0
                    delete_expired(app)
                if time.monotonic() >= next_file_sweep:
                    next_file_sweep = time.monotonic() + app.config["CHAT_FILE_SWEEP_SECONDS"]
                    files.sweep(app.config["CHAT_UNSENT_FILE_HOURS"])
            except Exception:
                log.exception("chat maintenance failed")
                db.session.rollback()
            finally:
                db.session.remove()
        socketio.sleep(interval)
        since_heartbeat += interval
        since_sweep += interval


def _heartbeat(app: Flask, visitors_overdue: Overdue, agents_overdue: Overdue) -> None:
    """Refresh this process's connections; announce who went with a process."""
    grace = app.config["CHAT_PRESENCE_GRACE"]
    expired = connections.heartbeat(single_process=not app.config["SOCKETIO_MESSAGE_QUEUE"])
    late = visitors_overdue.past(presence.visitors_online_without_socket(), grace)
    for cid in sorted(expired | late):
        _announce_if_visitor_gone(cid)
    agents_missing = {"agents"} if presence.agents_online_without_socket() else set()
    agents_missing |= availability.connected_without_socket()
    overdue = agents_overdue.past(agents_missing, grace)
    for agent_id in sorted(overdue - {"agents"}):
        _announce_if_agent_gone(agent_id)
    if "agents" in overdue:
        _announce_if_agents_gone()


def _expire_typing() -> None:
    for ended in typing.expire_typing():
        emit.typing(ended.conversation_id, ended.side, ended.name, False)
        if ended.side == "visitor":
            summaries.send_soon(ended.conversation_id)


def _wake_snoozes() -> None:
    """Reopen the snoozed chats that are due: each in one process only."""
    for line in lifecycle.wake_due_snoozes():
        desk_events.announce(line.conversation_id, line)


def delete_expired(app: Flask) -> list[int]:
    """Delete the conversations past the desk's retention and tell the
    inboxes; the visitors' sockets of each are closed. Returns their ids."""
    deleted = []
    for cid in retention.expired_ids():
        sids = connections.sids_of(conversation_id=cid)
        if not retention.delete_if_expired(cid):
            continue  # active again, or deleted by another process
        deleted.append(cid)
        emit.disconnect(sids)
        emit.deleted(cid)
    if deleted:
        log.info("deleted %d conversations past the retention period", len(deleted))
        counts.send_soon()
        truncate_log_later(app)
    return deleted


def _announce_if_visitor_gone(conversation_id: int) -> None:
    if presence.settle_visitor_offline(conversation_id):
        emit.visitor_presence(conversation_id, False)
        summaries.send_soon(conversation_id)


def _announce_if_agent_gone(agent_id: int) -> None:
    """Tell every inbox the agent left, if no socket of theirs came back."""
    if availability.settle_disconnected(agent_id):
        roster.send_soon()
        roster.tell_visitors_of(agent_id)


def _announce_if_agents_gone() -> None:
    if presence.settle_agents_offline():
        emit.agent_presence(False, presence.online_conversation_ids())


def settle_visitor_later(app: Flask, conversation_id: int) -> None:
    """After the grace period, announce the visitor offline if no tab came back."""
    socketio.start_background_task(_after_grace, app, _announce_if_visitor_gone, conversation_id)


def settle_agents_later(app: Flask, agent_id: int | None = None) -> None:
    """After the grace period, tell visitors if no agent is online any more
    (and every inbox, if this agent left)."""
    if agent_id is not None:
        socketio.start_background_task(_after_grace, app, _announce_if_agent_gone, agent_id)
    socketio.start_background_task(_after_grace, app, _announce_if_agents_gone)


def _after_grace(app: Flask, announce, *args) -> None:
    socketio.sleep(app.config["CHAT_PRESENCE_GRACE"])
    if _stopped(app):
        return
    with app.app_context():
        try:
            announce(*args)
        except Exception:
            log.exception("presence update failed")
            db.session.rollback()
        finally:
            db.session.remove()


def truncate_log_later(app: Flask) -> None:
    """Empty SQLite's write-ahead log as soon as no reader holds it.

    A deleted conversation's text stays in the log until then.
    """
    socketio.start_background_task(_truncate_log_until_done, app)


def _truncate_log_until_done(app: Flask) -> None:
    for _attempt in range(TRUNCATE_LOG_ATTEMPTS):
        socketio.sleep(1)
        if _stopped(app):
            return
        with app.app_context():
            try:
                if truncate_log():
                    return
            except Exception:
                log.exception("emptying the database log failed")
            finally:
                db.session.remove()
    log.warning("the database log stayed busy; deleted text remains in it until it is emptied")
