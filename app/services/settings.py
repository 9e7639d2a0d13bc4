"""The desk's settings that admins change in the inbox, stored as JSON by key.

Every server process reads them from the database, so a change holds at
once everywhere; a key never set answers its default.
"""

import json

import sqlalchemy as sa

from app import db
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
