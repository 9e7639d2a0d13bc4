"""Identities the host site vouches for: its user's id, signed with the
desk's identity secret (HMAC-SHA256), as Intercom and Chatwoot do it.

The secret is shown to admins only and can be rolled; a signature made with
an older secret, for another user id, or with none is refused.
"""

import hashlib
import hmac
import secrets

from app import db
from app.clock import iso, utcnow
from app.errors import ChatError
from app.services import settings
from app.visitor_schemas import SignedIdentity

# Stored as a desk setting, but not one of settings.KNOWN: those every agent
# may read, this only admins.
SECRET_KEY = "identity_secret"


def user_hash(secret: str, user_id: str) -> str:
    """What the host site computes: hex HMAC-SHA256 of the user id."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def current_secret() -> dict | None:
    """``{"secret", "created_at"}``, or None before an admin created one."""
    return settings.get(SECRET_KEY)


def roll_secret() -> dict:
    """A new secret; the previous one stops working at once. Commits."""
    stored = {"secret": secrets.token_hex(32), "created_at": iso(utcnow())}
    settings.put(SECRET_KEY, stored)
    db.session.commit()
    return stored


def verify(identity: SignedIdentity) -> None:
    """Refuse an identity that is not signed with the current secret."""
    stored = current_secret()
    if stored is None:
        raise ChatError(
            "forbidden",
            "identity verification is not set up: an admin must create the identity secret",
        )
    if not identity.user_hash:
        raise ChatError("unauthorized", "identity.user_hash is missing: the identity is unsigned")
    expected = user_hash(stored["secret"], identity.user_id)
    # compare_digest on bytes: a hash of any characters is compared in
    # constant time (on str it refuses non-ASCII).
    if not hmac.compare_digest(expected.encode(), identity.user_hash.lower().encode()):
        raise ChatError(
            "unauthorized",
            "identity.user_hash does not match identity.user_id: sign the user id "
            "with the current identity secret (HMAC-SHA256, hex)",
        )
