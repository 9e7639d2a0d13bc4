"""The signed link in a reply email that brings the visitor back to their
conversation (see docs/security.md, "Email").

The link names one conversation, is signed with the server's secret key
(with a salt of its own, so no other signed value of the server passes for
it) and expires after ``CHAT_RESUME_LINK_HOURS``. Opening it gives the
browser a new visitor token for that conversation: the old one stops
working, so a link never adds a second key that could outlive the visitor's.
"""

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app import db
from app.errors import ChatError
from app.models import Conversation
from app.services.keys import hash_secret, new_secret

SALT = "livechat.resume-conversation"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def link_for(conversation_id: int) -> str:
    """The address that brings the visitor back to ``conversation_id``.

    The signed part travels in the #fragment: browsers never send it to a
    server, so it stays out of access logs, proxies and Referer headers.
    """
    signed = _serializer().dumps({"conversation_id": conversation_id})
    return f"{current_app.config['CHAT_PUBLIC_URL']}/chat/resume#{signed}"


def conversation_of(signed: str) -> int:
    """The conversation a link names; ``invalid`` for a forged, altered or
    expired link."""
    max_age = current_app.config["CHAT_RESUME_LINK_HOURS"] * 3600
    try:
        data = _serializer().loads(signed, max_age=max_age)
    except SignatureExpired:
        raise ChatError("invalid", "this link has expired") from None
    except BadSignature:
        raise ChatError("invalid", "this link is not valid") from None
    return data["conversation_id"]


def new_visitor_token(conversation_id: int) -> str:
    """A fresh visitor token for an open conversation, replacing the old
    one; ``invalid`` once the conversation was ended or deleted. Commits."""
    token = new_secret()
    changed = db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.status == "open")
        .values(visitor_token_hash=hash_secret(token))
    ).rowcount
    db.session.commit()
    if not changed:
        raise ChatError("invalid", "this conversation has ended")
    return token
