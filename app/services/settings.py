"""The desk's settings that admins change in the inbox, stored as JSON by key.

Every server process reads them from the database, so a change holds at
once everywhere; a key never set answers its default.
"""

import json
from dataclasses import dataclass

import sqlalchemy as sa
from pydantic import TypeAdapter, ValidationError

from app import db
from app.errors import ChatError
from app.models import Setting


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


@dataclass(frozen=True)
class Known:
    """A setting the desk knows: its type (checked strictly) and default."""

    type: object
    default: object
    description: str


# Every desk setting, by key. A feature that reads a setting adds it here.
KNOWN: dict[str, Known] = {
    "auto_assign": Known(
        bool, False, "New conversations go to available agents in turn (round robin)."
    ),
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
    except ValidationError:
        raise ChatError("invalid", f"{key}: expected {_type_name(known.type)}") from None


def _type_name(type_) -> str:
    return {bool: "true or false", int: "a whole number", str: "text"}.get(type_, str(type_))
