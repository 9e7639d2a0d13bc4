"""The payloads clients send, declared once and validated strictly.

Types are strict (no "3" for 3, no true for 1); unknown fields are ignored.
"""

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

MAX_INT = 2**31 - 1  # ids and seqs are 32-bit INTEGER columns on PostgreSQL


def is_storable(text: str) -> bool:
    """Text a database can store: no NUL, no lone UTF-16 surrogates."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _storable(text: str) -> str:
    if not is_storable(text):
        raise ValueError("text must be valid Unicode without NUL characters")
    return text


Text = Annotated[str, AfterValidator(_storable)]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Seq = Annotated[int, Field(ge=0, le=MAX_INT)]
ClientId = Annotated[Text, StringConstraints(min_length=1, max_length=64)]


class Payload(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    conversation_id: Id | None = None


class SendMessage(Payload):
    client_id: ClientId
    # Length is checked after trimming by the service, against the configured
    # maximum, so that an over-long body is reported as too_large.
    body: Text


class Typing(Payload):
    is_typing: bool


class Receipt(Payload):
    status: Literal["delivered", "seen"]
    up_to_seq: Seq


class HistoryPage(BaseModel):
    """Which page of messages: the query of ``GET /api/v1/conversations/ID/messages``."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    before_seq: Seq | None = None
    after_seq: Seq | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50

    @model_validator(mode="after")
    def _one_direction(self):
        if self.before_seq is not None and self.after_seq is not None:
            raise ValueError("give before_seq or after_seq, not both")
        return self


class History(HistoryPage, Payload):
    """The ``history`` event."""


class ConversationRef(Payload):
    conversation_id: Id


class AssignTo(ConversationRef):
    """The ``assign`` event: give a conversation to an agent."""

    agent_id: Id


class Assignee(BaseModel):
    """The body of ``POST /api/v1/conversations/ID/assign``: null unassigns."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    agent_id: Id | None


class Availability(BaseModel):
    """``set_availability`` and ``PUT /api/v1/agents/me/availability``."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    available: bool


class NewConversation(BaseModel):
    """The optional body of ``POST /api/v1/conversations``."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    name: Annotated[Text, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    email: Annotated[Text, StringConstraints(strip_whitespace=True, max_length=254)] | None = None
    page_url: Annotated[Text, StringConstraints(max_length=2048)] | None = None


def describe(exc: ValidationError) -> str:
    """One line saying what is wrong with a payload."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "payload"
    return f"{where}: {first['msg']}"


# --- Admins' requests: unknown fields are refused, a typo must not pass silently.

Role = Literal["admin", "agent"]


def _not_blank(text: str) -> str:
    if not text:
        raise ValueError("must not be blank")
    return text


AgentName = Annotated[
    Text, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(_not_blank)
]
# The service checks the minimum length (the CLI shares it); the maximum keeps
# hashing cheap.
Password = Annotated[Text, StringConstraints(max_length=256)]


class AdminRequest(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class NewAgent(AdminRequest):
    """``POST /api/v1/admin/agents``."""

    email: Annotated[Text, StringConstraints(strip_whitespace=True, max_length=254)]
    name: AgentName
    password: Password
    role: Role = "agent"


class AgentChange(AdminRequest):
    """``PATCH /api/v1/admin/agents/ID``: the fields to change."""

    name: AgentName | None = None
    role: Role | None = None
    disabled: bool | None = None

    @model_validator(mode="after")
    def _something(self):
        if self.name is None and self.role is None and self.disabled is None:
            raise ValueError("give name, role or disabled")
        return self


class NewPassword(AdminRequest):
    """``POST /api/v1/admin/agents/ID/password``."""

    password: Password
