"""Live typing previews (the desk setting ``typing_preview``, off by
default): what a visitor types, before it is sent, to the agents who have
the conversation open. Never stored; the inbox clears a preview when the
visitor's typing ends, as it does the typing line.

The ``typing`` event is untouched by this: previews are an event of their
own, sent by the widget only while the desk shows them, so the typing path
costs the same whether the setting is on or off.
"""

from flask import current_app

from app import socketio
from app.errors import ChatError
from app.rating_schemas import TypingPreview
from app.realtime.answers import chat_event
from app.realtime.limits import check_rate
from app.realtime.rooms import watchers_room
from app.services import bodies, settings
from app.services.access import Identity


@chat_event("typing_preview", TypingPreview)
def typing_preview(identity: Identity, payload: TypingPreview) -> dict:
    """Pass the visitor's unsent text to the agents watching the chat;
    ``forbidden`` while the desk does not show previews (an empty text asks
    just that)."""
    if identity.is_agent:
        raise ChatError("forbidden", "only a visitor's typing is previewed")
    check_rate(identity, "typing_preview", "CHAT_TYPING_PREVIEW_RATE")
    if not settings.get("typing_preview", False):
        raise ChatError("forbidden", "typing previews are off")
    limit = current_app.config["CHAT_MAX_BODY_CHARS"]
    if bodies.length(payload.text) > limit:
        raise ChatError("too_large", f"a preview is at most {limit} characters")
    cid = identity.conversation_id
    preview = {"conversation_id": cid, "text": payload.text}
    socketio.emit("typing_preview", preview, to=watchers_room(cid))
    return {}
