"""Conversations and their messages over HTTP."""

from flask import current_app, jsonify, request
from pydantic import ValidationError

from app import limiter
from app.api import bp
from app.api.auth import agent_caller, caller
from app.chat import background, broadcast, presence, service
from app.chat.broadcast import disconnect_all
from app.chat.schemas import History, NewConversation, describe
from app.errors import ChatError


def json_body(optional: bool = False) -> dict:
    if not request.get_data():
        if optional:
            return {}
        raise ChatError("invalid", "a JSON body is required")
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        raise ChatError("invalid", "the body is nested too deeply") from None
    if not isinstance(body, dict):
        raise ChatError("invalid", "the body must be a JSON object")
    return body


def validated(schema, data: dict):
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise ChatError("invalid", describe(exc)) from None


def int_params(names: tuple[str, ...]) -> dict:
    """Query parameters that must be whole numbers."""
    values = {}
    for name in names:
        raw = request.args.get(name)
        if raw is None:
            continue
        if not raw.isascii() or not raw.isdigit() or len(raw) > 16:
            raise ChatError("invalid", f"{name} must be a whole number")
        values[name] = int(raw)
    return values


def conversation_rate() -> str:
    return current_app.config["CHAT_CONVERSATION_RATE"]


@bp.route("/conversations", methods=["POST"])
@limiter.limit(conversation_rate)
def create_conversation():
    """Start a conversation as a new visitor.

    Body (optional): ``{"name", "email", "page_url"}``. Answers ``201`` with
    ``{"conversation_id", "visitor_token"}``; keep the token, it is the
    visitor's only key to the conversation.
    """
    details = validated(NewConversation, json_body(optional=True))
    conversation, token = service.create_conversation(details.name, details.email, details.page_url)
    broadcast.summary(conversation.id)
    return {"conversation_id": conversation.id, "visitor_token": token}, 201


@bp.route("/conversations", methods=["GET"])
def list_conversations():
    """The inbox: conversation summaries, most recent activity first (agents)."""
    agent_caller()
    limit = int_params(("limit",)).get("limit", 50)
    if not 1 <= limit <= 200:
        raise ChatError("invalid", "limit must be 1 to 200")
    return {"conversations": service.inbox(limit)}


@bp.route("/conversations/<int(max=2147483647):conversation_id>/messages", methods=["GET"])
def list_messages(conversation_id: int):
    """A page of messages, as the ``history`` event answers it.

    Query: ``before_seq`` or ``after_seq``, and ``limit`` (1 to 100).
    Agents may read any conversation; a visitor only its own.
    """
    identity = caller()
    if not identity.is_agent and identity.conversation_id != conversation_id:
        raise ChatError("not_found", "no such conversation")
    query = validated(History, int_params(("before_seq", "after_seq", "limit")))
    conversation = service.get_conversation(conversation_id)
    messages, has_more = service.history(
        conversation.id, query.before_seq, query.after_seq, query.limit
    )
    return {"messages": [m.to_dict() for m in messages], "has_more": has_more}


@bp.route("/conversations/<int(max=2147483647):conversation_id>/end", methods=["POST"])
def end_conversation(conversation_id: int):
    """The visitor ends the chat: the conversation closes and the visitor
    token stops working (its sockets are disconnected). Answers 204."""
    identity = caller()
    if identity.is_agent or identity.conversation_id != conversation_id:
        raise ChatError("not_found", "no such conversation")
    service.end_conversation(conversation_id)
    disconnect_all(presence.sids_of(conversation_id=conversation_id))
    broadcast.summary(conversation_id)
    return "", 204


@bp.route("/conversations/<int(max=2147483647):conversation_id>", methods=["DELETE"])
def delete_conversation(conversation_id: int):
    """Delete a conversation with all its messages (agents). Answers 204."""
    agent_caller()
    service.get_conversation(conversation_id)
    sids = presence.sids_of(conversation_id=conversation_id)
    if not service.delete_conversation(conversation_id):
        background.truncate_log_later(current_app._get_current_object())
    disconnect_all(sids)
    broadcast.deleted(conversation_id)
    return "", 204


@bp.route("/conversations/<int(max=2147483647):conversation_id>/transcript", methods=["GET"])
def export_transcript(conversation_id: int):
    """The whole conversation as one JSON document, for download.

    Agents may export any conversation; a visitor its own.
    """
    identity = caller()
    if not identity.is_agent and identity.conversation_id != conversation_id:
        raise ChatError("not_found", "no such conversation")
    transcript = service.transcript(conversation_id)
    response = jsonify(transcript)
    filename = f"conversation-{conversation_id}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
