"""What a visitor's widget tells about the visitor: a signed identity from
the host site, the browser's context, and the pre-chat form's answers.

Strict like app/schemas.py; sizes are bounded so that nothing a visitor
sends can grow the database or the inbox without limit.
"""

from functools import cache
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.schemas import NewConversation, Text, is_storable

MAX_EXTERNAL_ID = 255
MAX_MILLISECONDS = 4_102_444_800_000  # 2100-01-01


def _user_id(value: str | int) -> str:
    """Sites use numbers or strings for their users' ids; the HMAC signs the text."""
    text = str(value)
    if not 1 <= len(text) <= MAX_EXTERNAL_ID:
        raise ValueError(f"must be 1 to {MAX_EXTERNAL_ID} characters")
    if not is_storable(text):
        raise ValueError("must be valid Unicode without NUL characters")
    return text


def _email(text: str) -> str:
    if text and ("@" not in text or any(char.isspace() for char in text)):
        raise ValueError("must be an email address")
    return text


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _time_zone(name: str) -> str:
    # Checked against the list, never opened by name: a name is a path.
    if name not in _time_zones():
        raise ValueError("must be an IANA time zone such as Europe/Madrid")
    return name


UserId = Annotated[str | Annotated[int, Field(ge=0)], AfterValidator(_user_id)]
Name = Annotated[Text, StringConstraints(strip_whitespace=True, max_length=100)]
Email = Annotated[
    Text, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)
]

# A BCP 47 tag as browsers give it (navigator.language): "en", "pt-BR".
Language = Annotated[
    str, StringConstraints(max_length=35, pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
]
TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_time_zone)]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class SignedIdentity(Strict):
    """``identity``: the host site's user, signed: ``user_hash`` is the hex
    HMAC-SHA256 of ``user_id`` with the desk's identity secret."""

    user_id: UserId
    name: Name | None = None
    email: Email | None = None
    # Checked by the service, so that a missing or malformed one is told
    # apart from a wrong one; bounded here.
    user_hash: Annotated[Text, StringConstraints(max_length=128)] | None = None


class VisitorContext(Strict):
    """``context``: what the widget knows of the visitor's browser."""

    page_title: Annotated[Text, StringConstraints(max_length=200)] | None = None
    referrer: Annotated[Text, StringConstraints(max_length=2048)] | None = None
    language: Language | None = None
    time_zone: TimeZone | None = None
    # Milliseconds since 1970 (JavaScript's Date.now()) of the widget's first
    # sight of this browser on the site.
    first_seen_at: Annotated[int, Field(ge=0, le=MAX_MILLISECONDS)] | None = None


class VisitorConversation(NewConversation):
    """``POST /api/v1/conversations``, with this server's additions."""

    identity: SignedIdentity | None = None
    context: VisitorContext | None = None


class Identify(Strict):
    """``POST /api/v1/identify``."""

    identity: SignedIdentity
