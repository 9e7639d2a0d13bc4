"""The desk's settings that admins change in the inbox, stored as JSON by key.

Every server process reads them from the database, so a change holds at
once everywhere; a key never set answers its default.
"""

import json
from dataclasses import dataclass
from typing import Annotated, Literal

import sqlalchemy as sa
from pydantic import Field, TypeAdapter, ValidationError

from app import db
from app.errors import ChatError
from app.models import Setting
from app.services import hours


def get(key: str, default=None):
    value = db.session.scalar(sa.select(Setting.value).where(Setting.key == key))
    return default if value is None else json.loads(value)


def put(key: str, value) -> None:
    """Store a setting, in the caller's transaction."""
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=json.dumps(value)))
    else:
        row.value = json.dumps(value)


# Ten years: a bound that any retention policy fits in.
MAX_RETENTION_DAYS = 3650


@dataclass(frozen=True)
class Known:
    """A setting the desk knows: its type (checked strictly) and default."""

    type: object
    default: object
    description: str


# A pre-chat form's field: not asked, asked, or asked and required.
PRECHAT = Literal["off", "optional", "required"]

# Every desk setting, by key. A feature that reads a setting adds it here.
KNOWN: dict[str, Known] = {
    "auto_assign": Known(
        bool, False, "New conversations go to available agents in turn (round robin)."
    ),
    "retention_days": Known(
        Annotated[int, Field(ge=0, le=MAX_RETENTION_DAYS)],
        0,
        "Conversations with no activity for this many days are deleted; 0 keeps them.",
    ),
    "webhooks_allow_private": Known(
        bool,
        False,
        "Webhooks may go to loopback, private and link-local addresses (a receiver on the"
        " server's own network). Off, only public addresses are reached.",
    ),
    "prechat_name": Known(PRECHAT, "off", "The widget asks the visitor's name before a chat."),
    "prechat_email": Known(PRECHAT, "off", "The widget asks the visitor's email before a chat."),
    "business_hours": Known(
        hours.Schedule,
        hours.DEFAULT,
        "When the desk answers: a weekly schedule in a time zone. Outside it the"
        " widget says when the team is back and asks for an email address.",
    ),
    "email_unseen_reply_minutes": Known(
        Annotated[int, Field(ge=1, le=1440)],
        5,
        "An agent's reply the visitor has not seen this many minutes later, after"
        " they left, is emailed to them (if they gave an email address).",
    ),
    "visitor_files": Known(bool, True, "Visitors may send images and files."),
    "typing_preview": Known(
        bool,
        False,
        "Agents see what a visitor types before it is sent; the widget tells the visitor.",
    ),
}


def current() -> dict:
    """Every known setting with its stored value, or its default."""
    stored = dict(db.session.execute(sa.select(Setting.key, Setting.value)).all())
    return {
        key: json.loads(stored[key]) if key in stored else known.default
        for key, known in KNOWN.items()
    }


def change(changes: dict) -> dict:
    """Store several settings at once, all or none, and commit.

    Unknown keys and values of the wrong type are refused before anything
    is stored. Returns every setting, as ``current()``.
    """
    if not changes:
        raise ChatError("invalid", "name at least one setting to change")
    checked = {key: _checked(key, value) for key, value in changes.items()}
    for key, value in checked.items():
        put(key, value)
    db.session.commit()
    return current()


def _checked(key: str, value):
    known = KNOWN.get(key)
    if known is None:
        raise ChatError("invalid", f"{key[:64]!r} is not a setting")
    try:
        return TypeAdapter(known.type).validate_python(value, strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join([key, *(str(part) for part in first["loc"])])
        raise ChatError("invalid", f"{where}: {first['msg']}") from None
