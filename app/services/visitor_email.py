"""The email address a visitor leaves so that the desk can answer by email."""

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from app import db
from app.errors import ChatError
from app.models import Conversation
from app.services import email_jobs
from app.services.conversations import refuse_unless_open


def checked_email(text: str) -> str:
    """The address in its normal form, or ``invalid`` saying what is wrong.

    Only the form is checked (no DNS lookup): a visitor's answer must not
    wait for, or depend on, someone else's name server.
    """
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ChatError("invalid", f"email: {exc}") from None


def set_visitor_email(conversation_id: int, email: str) -> tuple[str, bool]:
    """Store the visitor's email on their open conversation, and commit.

    Returns the stored form and whether it changed.
    """
    email = checked_email(email)
    refuse_unless_open(conversation_id)
    before = db.session.scalar(
        sa.select(Conversation.visitor_email).where(Conversation.id == conversation_id)
    )
    result = db.session.execute(
        sa.update(Conversation)
        .where(
            Conversation.id == conversation_id,
            Conversation.visitor_email.is_distinct_from(email),
        )
        .values(visitor_email=email)
    )
    if result.rowcount and before is None:
        # Replies written before there was an address get their email too.
        email_jobs.after_first_email(conversation_id)
    db.session.commit()
    return email, bool(result.rowcount)
