"""Socket.IO events of a visitor nobody can answer now: leaving an email
address (``set_email``) so that the desk answers by email."""

from typing import Annotated

from pydantic import StringConstraints

from app.errors import ChatError
from app.realtime import emit, payloads, summaries
from app.realtime.answers import chat_event
from app.realtime.limits import check_rate
from app.schemas import Payload, Text
from app.services import email_jobs, history, visitor_email
from app.services.access import Identity


class SetEmail(Payload):
    email: Annotated[Text, StringConstraints(min_length=1, max_length=254)]


@chat_event("set_email", SetEmail)
def set_email(identity: Identity, payload: SetEmail) -> dict:
    """The visitor leaves (or corrects) the address replies may be emailed to."""
    if identity.is_agent:
        raise ChatError("forbidden", "only the visitor sets their email")
    check_rate(identity, "set_email", "CHAT_EMAIL_RATE")
    cid = identity.conversation_id
    email, changed = visitor_email.set_visitor_email(cid, payload.email)
    if changed:
        summaries.send_soon(cid)
        emit.chat_state(payloads.chat_state(history.summary(cid).conversation))
    return {"email": email}


@chat_event("email_transcript", Payload)
def email_transcript(identity: Identity, _payload: Payload) -> dict:
    """The visitor asks for the conversation's transcript at their email address."""
    if identity.is_agent:
        raise ChatError("forbidden", "only the visitor asks for their transcript")
    check_rate(identity, "email_transcript", "CHAT_TRANSCRIPT_RATE")
    return {"email": email_jobs.request_transcript(identity.conversation_id)}
