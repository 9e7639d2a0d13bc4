"""Conversations and their messages over HTTP."""

from flask import current_app, jsonify, request
from pydantic import ValidationError

from app import limiter
from app.api import bp
from app.api import responses as answers
from app.api.auth import agent_caller, caller
from app.api.description import described, query_args
from app.errors import ChatError
from app.models import SIDES
from app.realtime import background, counts, emit, payloads, summaries
from app.realtime.emit import sockets_of_closed_after
from app.schemas import MAX_INT, HistoryPage, describe
from app.services import activity, conversations, history, typing, visitors
from app.visitor_schemas import VisitorConversation


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
@described(
    tag="visitors",
    auth="none",
    body=VisitorConversation,
    body_required=False,
    answers={201: answers.NewConversationAnswer},
    # unauthorized: an identity whose signature is missing or wrong.
    errors=("rate_limited", "unauthorized"),
)
@limiter.limit(conversation_rate)
def create_conversation():
    """Start a conversation as a new visitor.

    Body (optional): ``{"name", "email", "page_url", "identity", "context"}``
    (see docs/protocol.md, "Who the visitor is"). Answers ``201`` with
    ``{"conversation_id", "visitor_token"}``; keep the token, it is the
    visitor's only key to the conversation. An ``identity`` not signed with
    the desk's identity secret is ``401 unauthorized``.
    """
    details = validated(VisitorConversation, json_body(optional=True))
    conversation, token = visitors.start_conversation(details, request.headers.get("User-Agent"))
    summaries.send_soon(conversation.id)
    return {"conversation_id": conversation.id, "visitor_token": token}, 201


@bp.route("/conversations/<int(max=2147483647):conversation_id>/messages", methods=["GET"])
@described(
    tag="visitors",
    auth="visitor_or_agent",
    query=HistoryPage,
    answers={200: answers.MessagePage},
    errors=("not_found",),
)
def list_messages(conversation_id: int):
    """A page of messages, as the ``history`` event answers it.

    Query: ``before_seq`` or ``after_seq``, and ``limit`` (1 to 100).
    Agents may read any conversation; a visitor only its own.
    """
    identity = caller()
    if not identity.is_agent and identity.conversation_id != conversation_id:
        raise ChatError("not_found", "no such conversation")
    query = validated(HistoryPage, query_args(HistoryPage))
    page = history.page(conversation_id, query.before_seq, query.after_seq, query.limit)
    return {"messages": payloads.messages(page.messages), "has_more": page.has_more}


@bp.route("/conversations/<int(max=2147483647):conversation_id>/end", methods=["POST"])
@described(tag="visitors", auth="visitor", answers={204: None}, errors=("not_found",))
def end_conversation(conversation_id: int):
    """The visitor ends the chat: the conversation closes and the visitor
    token stops working (its sockets are disconnected). Answers 204."""
    identity = caller()
    if identity.is_agent or identity.conversation_id != conversation_id:
        raise ChatError("not_found", "no such conversation")
    with sockets_of_closed_after(conversation_id=conversation_id):
        conversations.end_conversation(conversation_id)
    for side in SIDES:
        typing.forget(conversation_id, side)  # nobody types in it any more
    summaries.send_soon(conversation_id)
    return "", 204


@bp.route("/conversations/<int(max=2147483647):conversation_id>", methods=["DELETE"])
@described(tag="conversations", auth="agent", answers={204: None}, errors=("not_found",))
def delete_conversation(conversation_id: int):
    """Delete a conversation with all its messages (agents). Answers 204."""
    agent_caller()
    conversations.get_conversation(conversation_id)
    with sockets_of_closed_after(conversation_id=conversation_id):
        log_emptied = conversations.delete_conversation(conversation_id)
    if not log_emptied:
        background.truncate_log_later(current_app._get_current_object())
    emit.deleted(conversation_id)
    counts.send_soon()
    return "", 204


@bp.route("/conversations/<int(max=2147483647):conversation_id>/transcript", methods=["GET"])
@described(
    tag="visitors",
    auth="visitor_or_agent",
    answers={200: answers.Transcript},
    errors=("not_found",),
    headers={200: {"Content-Disposition": 'attachment; filename="conversation-ID.json"'}},
)
def export_transcript(conversation_id: int):
    """The whole conversation as one JSON document, for download.

    Agents may export any conversation, with its activity lines and notes
    (``activities``); a visitor its own, without them.
    """
    identity = caller()
    if not identity.is_agent and identity.conversation_id != conversation_id:
        raise ChatError("not_found", "no such conversation")
    document = payloads.transcript(history.transcript(conversation_id))
    if identity.is_agent:
        document["activities"] = payloads.activities(activity.among(conversation_id, 1, MAX_INT))
    response = jsonify(document)
    filename = f"conversation-{conversation_id}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
