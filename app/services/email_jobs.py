"""The desk's emails, each an outbox job recorded in the transaction of the
event that causes it, and sent in the background with retries:

- ``email.unseen_reply``: an agent's reply, due ``email_unseen_reply_minutes``
  later; when it runs it sends nothing if the visitor has seen the reply, is
  back in the chat, or was written to again since (that reply's own job
  sends both);
- ``email.waiting``: a visitor's message starts waiting while no agent is
  online; after ``CHAT_MAIL_WAITING_SECONDS``, if the chat still waits and
  still nobody is online, one ``email.waiting_to`` job per enabled agent;
- ``email.transcript``: the visitor asked for the transcript.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app import db
from app.clock import utcnow
from app.errors import ChatError
from app.models import Agent, Conversation, Message
from app.services import connections, mailer, outbox, presence, resume_links, settings

UNSEEN_REPLY = "email.unseen_reply"
WAITING = "email.waiting"
WAITING_TO = "email.waiting_to"
TRANSCRIPT = "email.transcript"
# The messages quoted in an email about waiting; the transcript has them all.
QUOTED = 20


def after_message(
    conversation_id: int,
    sender: str,
    seq: int,
    now: datetime,
    waiting_since: datetime | None,
    visitor_email: str | None,
) -> None:
    """Record the emails a new message may cause, in the caller's transaction."""
    if not mailer.enabled():
        return
    if sender == "agent" and visitor_email:
        minutes = settings.get("email_unseen_reply_minutes", 5)
        payload = {"conversation_id": conversation_id, "seq": seq}
        outbox.add(UNSEEN_REPLY, payload, due_at=now + timedelta(minutes=minutes))
    elif sender == "visitor" and waiting_since == now and not presence.agents_announced_online():
        delay = timedelta(seconds=current_app.config["CHAT_MAIL_WAITING_SECONDS"])
        outbox.add(WAITING, {"conversation_id": conversation_id}, due_at=now + delay)


def after_first_email(conversation_id: int) -> None:
    """The visitor left an address for the first time: the newest agent reply
    they have not seen gets its email job, in the caller's transaction (the
    replies before had none, having nowhere to go)."""
    if not mailer.enabled():
        return
    seen = sa.select(Conversation.visitor_seen_seq).where(Conversation.id == conversation_id)
    newest = db.session.scalar(
        sa.select(sa.func.max(Message.seq)).where(
            Message.conversation_id == conversation_id,
            Message.sender == "agent",
            Message.seq > seen.scalar_subquery(),
        )
    )
    if newest is not None:
        minutes = settings.get("email_unseen_reply_minutes", 5)
        payload = {"conversation_id": conversation_id, "seq": newest}
        outbox.add(UNSEEN_REPLY, payload, due_at=utcnow() + timedelta(minutes=minutes))


def request_transcript(conversation_id: int) -> str:
    """The visitor asks for the transcript by email; commits. Returns the address."""
    if not mailer.enabled():
        raise ChatError("conflict", "this desk does not send email")
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        raise ChatError("not_found", "no such conversation")
    if not conversation.visitor_email:
        raise ChatError("invalid", "leave your email address first")
    email = conversation.visitor_email
    outbox.add(TRANSCRIPT, {"conversation_id": conversation_id, "email": email})
    db.session.commit()
    return email


@outbox.handler(UNSEEN_REPLY)
def send_unseen_reply(job: outbox.Job) -> None:
    cid, seq = job.payload["conversation_id"], job.payload["seq"]
    conversation = db.session.get(Conversation, cid)
    if conversation is None or conversation.status != "open" or not conversation.visitor_email:
        return
    if conversation.visitor_seen_seq >= seq or connections.visitor_count(cid) > 0:
        return  # seen, or the visitor is back in the chat
    unseen = _messages(cid, after_seq=conversation.visitor_seen_seq, sender="agent")
    if not unseen or unseen[-1].seq != seq:
        return  # a later reply's job will send this one with it
    mailer.send(
        job.id,
        conversation.visitor_email,
        _subject("New reply" if len(unseen) == 1 else f"{len(unseen)} new replies", unseen),
        "unseen_reply",
        name=conversation.visitor_name,
        messages=unseen,
        link=resume_links.link_for(cid),
        link_hours=_hours(current_app.config["CHAT_RESUME_LINK_HOURS"]),
    )


@outbox.handler(WAITING)
def tell_agents_of_waiting(job: outbox.Job) -> None:
    """Still waiting, still nobody online: one email job per enabled agent
    (committed with this job's outcome, so each is added exactly once)."""
    cid = job.payload["conversation_id"]
    conversation = db.session.get(Conversation, cid)
    if conversation is None or conversation.waiting_since is None or conversation.status != "open":
        return
    if presence.agents_announced_online():
        return
    agent_ids = db.session.scalars(sa.select(Agent.id).where(Agent.disabled.is_(False)))
    for agent_id in agent_ids:
        outbox.add(WAITING_TO, {"conversation_id": cid, "agent_id": agent_id})


@outbox.handler(WAITING_TO)
def send_waiting(job: outbox.Job) -> None:
    cid = job.payload["conversation_id"]
    conversation = db.session.get(Conversation, cid)
    agent = db.session.get(Agent, job.payload["agent_id"])
    if conversation is None or conversation.waiting_since is None or agent is None:
        return  # answered (or deleted) meanwhile
    if agent.disabled:
        return
    visitor = " · ".join(filter(None, (conversation.visitor_name, conversation.visitor_email)))
    messages = _messages(cid, after_seq=0)[-QUOTED:]
    mailer.send(
        job.id,
        agent.email,
        f"Waiting with nobody online: {_subject('a visitor', messages)}",
        "waiting",
        agent_name=agent.name,
        visitor=visitor,
        waiting_since=conversation.waiting_since,
        messages=messages,
        inbox_url=f"{current_app.config['CHAT_PUBLIC_URL']}/agent",
    )


@outbox.handler(TRANSCRIPT)
def send_transcript(job: outbox.Job) -> None:
    cid = job.payload["conversation_id"]
    conversation = db.session.get(Conversation, cid)
    if conversation is None:
        return  # deleted since: nothing left to send
    mailer.send(
        job.id,
        job.payload["email"],
        "Your chat transcript",
        "transcript",
        name=conversation.visitor_name,
        messages=_messages(cid, after_seq=0),
        sent_at=utcnow(),
    )


def _messages(conversation_id: int, after_seq: int, sender: str | None = None) -> list[Message]:
    query = (
        sa.select(Message)
        .where(Message.conversation_id == conversation_id, Message.seq > after_seq)
        .order_by(Message.seq)
    )
    if sender is not None:
        query = query.where(Message.sender == sender)
    return list(db.session.scalars(query))


def _subject(prefix: str, messages: list[Message]) -> str:
    """The subject: what happened, and the start of the last message."""
    if not messages:
        return prefix
    text = " ".join(messages[-1].body.split())
    return f"{prefix}: {text[:60]}{'…' if len(text) > 60 else ''}"


def _hours(hours: float) -> str:
    return f"{hours:g}"
