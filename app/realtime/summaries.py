"""Conversation summaries for the inbox, sent once per burst of changes.

A message, its receipts and typing come close together; agents get one
summary of them after ``CHAT_SUMMARY_DELAY`` seconds (0 sends at once).
"""

import threading

from flask import Flask, current_app

from app import db, socketio
from app.errors import ChatError
from app.realtime import counts, emit, payloads
from app.services import history

# Summaries this process owes agents; sent by one task after the delay.
_pending: set[int] = set()
_pending_lock = threading.Lock()
# Summaries read in one query, and sent, before other events get a turn.
CHUNK = 50


def send_soon(conversation_id: int) -> None:
    """Send agents the conversation's fresh summary, soon."""
    app = current_app._get_current_object()
    delay = app.config["CHAT_SUMMARY_DELAY"]
    if not delay:
        send_now(conversation_id)
        return
    with _pending_lock:
        schedule = not _pending
        _pending.add(conversation_id)
    if schedule:
        socketio.start_background_task(_send_pending, app, delay)


def send_now(conversation_id: int) -> None:
    try:
        summary = history.summary(conversation_id)
    except ChatError:
        return  # deleted meanwhile
    emit.summary(payloads.summary(summary))
    counts.send_soon()


def _send_pending(app: Flask, delay: float) -> None:
    socketio.sleep(delay)
    with _pending_lock:
        conversation_ids = sorted(_pending)
        _pending.clear()
    with app.app_context():
        try:
            for start in range(0, len(conversation_ids), CHUNK):
                for summary in history.summaries(conversation_ids[start : start + CHUNK]):
                    emit.summary(payloads.summary(summary))
                db.session.rollback()
                socketio.sleep(0)  # a burst of summaries lets messages through
            counts.send_soon()
        finally:
            db.session.remove()
