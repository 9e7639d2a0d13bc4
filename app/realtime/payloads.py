"""The protocol's JSON objects, one function each, for sockets and REST alike.

Each takes a model or a row of the same columns (the hot path reads rows).
"""

from app.clock import iso, utcnow
from app.services import mailer, reachable
from app.services.history import Summary, Transcript
from app.services.receipts import ReceiptApplied
from app.services.search import Hit as SearchHit


def message_status(message) -> str:
    if message.seen_at is not None:
        return "seen"
    if message.delivered_at is not None:
        return "delivered"
    return "sent"


def message(message) -> dict:
    """The protocol's Message object."""
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "seq": message.seq,
        "client_id": message.client_id,
        "sender": message.sender,
        "author": {"name": message.author_name},
        "body": message.body,
        "created_at": iso(message.created_at),
        "delivered_at": iso(message.delivered_at),
        "seen_at": iso(message.seen_at),
        "status": message_status(message),
        "file": file(message.file),
    }


def file(described: dict | None) -> dict | None:
    """A message's file: what the server found it to be, and where those
    who may read the conversation fetch it (and an image's thumbnail)."""
    if described is None:
        return None
    url = f"/api/v1/files/{described['id']}"
    is_image = bool(described.get("thumbnail"))
    return {
        "id": described["id"],
        "name": described["name"],
        "size": described["size"],
        "content_type": described["content_type"],
        "kind": "image" if is_image else "file",
        "width": described.get("width"),
        "height": described.get("height"),
        "url": url,
        "thumbnail_url": f"{url}/thumbnail" if is_image else None,
    }


def messages(rows) -> list[dict]:
    return [message(row) for row in rows]


def summary(summary: Summary) -> dict:
    """The protocol's conversation summary (agents only)."""
    conversation, last_message = summary.conversation, summary.last_message
    return {
        "id": conversation.id,
        "visitor": {"name": conversation.visitor_name, "email": conversation.visitor_email},
        "status": conversation.status,
        "created_at": iso(conversation.created_at),
        "last_activity_at": iso(conversation.last_activity_at),
        "last_message": message(last_message) if last_message is not None else None,
        "unread": conversation.unread_count,
        "visitor_online": bool(conversation.visitor_online),
        "visitor_typing": conversation.visitor_typing_until is not None,
        "page_url": conversation.page_url,
        "state": "ended" if conversation.status == "closed" else conversation.state,
        "snoozed_until": iso(conversation.snoozed_until),
        "assignee": assignee(conversation.assignee_id, conversation.assignee_name),
        "waiting_since": iso(conversation.waiting_since),
    }


def chat_state(conversation) -> dict:
    """What the visitor is told of where their chat stands: its state, and
    the name of the agent it is assigned to (never an agent's id) and
    whether that agent can answer now (available and connected)."""
    if conversation.assignee_id is None:
        agent = None
    else:
        agent = {
            "name": conversation.assignee_name,
            "available": bool(conversation.assignee_available),
        }
    return {
        "conversation_id": conversation.id,
        "state": "ended" if conversation.status == "closed" else conversation.state,
        "agent": agent,
        # When nobody can answer: the desk's hours, and where to answer by email.
        "hours": hours(reachable.desk_hours()),
        "email": conversation.visitor_email,
        "mail": mailer.enabled(),
    }


def hours(now) -> dict:
    """The desk's business hours as they stand: open now, when that changes."""
    return {
        "open": now.open,
        "closes_at": _utc_iso(now.closes_at),
        "opens_at": _utc_iso(now.opens_at),
    }


def _utc_iso(moment) -> str | None:
    return None if moment is None else iso(moment.replace(tzinfo=None))


def assignee(agent_id: int | None, name: str | None) -> dict | None:
    """The agent a conversation is assigned to, or None."""
    return None if agent_id is None else {"id": agent_id, "name": name}


def agent(row) -> dict:
    """An agent as every inbox sees them: name, role, whether available
    (or away) and whether connected (agents only)."""
    return {
        "id": row.id,
        "name": row.name,
        "role": row.role,
        "available": bool(row.available),
        "online": bool(row.online),
    }


def agents(rows) -> list[dict]:
    return [agent(row) for row in rows]


def search_hit(hit: SearchHit) -> dict:
    """A search hit: the conversation, and the message that matched (or
    None when the visitor's name or email did), with a snippet as parts of
    text, the matching words marked."""
    found = hit.message
    return {
        "conversation": summary(hit.summary),
        "message": None
        if found is None
        else {
            "id": found.id,
            "seq": found.seq,
            "sender": found.sender,
            "author": {"name": found.author_name},
            "created_at": iso(found.created_at),
        },
        "snippet": [{"text": text, "mark": mark} for text, mark in hit.snippet],
    }


def activity(line) -> dict:
    """A line of the timeline that is not a message: a note, or what
    happened (agents only)."""
    return {
        "id": line.id,
        "conversation_id": line.conversation_id,
        "after_seq": line.after_seq,
        "kind": line.kind,
        "actor": None if line.actor_name is None else {"name": line.actor_name},
        "subject": line.subject_name,
        "body": line.body,
        "created_at": iso(line.created_at),
    }


def activities(lines) -> list[dict]:
    return [activity(line) for line in lines]


def transcript(transcript: Transcript) -> dict:
    """A whole conversation, as exported."""
    return {
        "conversation": summary(transcript.summary),
        "messages": messages(transcript.messages),
        "exported_at": iso(utcnow()),
    }


def receipt(applied: ReceiptApplied) -> dict:
    """The ``receipt`` event: a side's new high-water mark."""
    return {
        "conversation_id": applied.conversation_id,
        "status": applied.status,
        "up_to_seq": applied.up_to_seq,
        "by": applied.by,
        "at": iso(applied.at),
    }


def typing(conversation_id: int, sender: str, name: str, is_typing: bool) -> dict:
    return {
        "conversation_id": conversation_id,
        "sender": sender,
        "name": name,
        "is_typing": is_typing,
    }


def presence(conversation_id: int, who: str, online: bool) -> dict:
    return {"conversation_id": conversation_id, "who": who, "online": online}


def error(code: str, message: str) -> dict:
    """The error object of an acknowledgement or an API error body."""
    return {"code": code, "message": message}


def failed(code: str, message: str) -> dict:
    """A refusing acknowledgement."""
    return {"ok": False, "error": error(code, message)}
