"""The API's answers, as models: the description shows them, and tests check
that the server's real answers (built in app/realtime/payloads.py and the
views) validate against them.

Unknown fields are refused, so a field added to an answer without its
model fails the tests instead of going undescribed.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model
from pydantic.json_schema import SkipJsonSchema

from app.errors import HTTP_STATUS

Timestamp = Annotated[
    str,
    WithJsonSchema({"type": "string", "format": "date-time"}),
    Field(description="ISO 8601, UTC, milliseconds, `Z`"),
]
Sender = Literal["visitor", "agent"]
State = Literal["open", "snoozed", "resolved", "ended"]


def _no_default(schema: dict) -> None:
    schema.pop("default", None)


def absent(description: str) -> Any:
    """A field that is left out at times (but never null)."""
    return Field(default=None, description=description, json_schema_extra=_no_default)


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ErrorDetail(Answer):
    """What went wrong."""

    code: Literal[tuple(HTTP_STATUS)]
    message: str


class ErrorBody(Answer):
    """An error: the protocol's code and a message for people."""

    error: ErrorDetail


class Author(Answer):
    name: str | None


class Message(Answer):
    """A message of a conversation."""

    id: int
    conversation_id: int
    seq: int = Field(description="1, 2, 3... within the conversation")
    client_id: str
    sender: Sender
    author: Author
    body: str
    created_at: Timestamp
    delivered_at: Timestamp | None
    seen_at: Timestamp | None
    status: Literal["sent", "delivered", "seen"]


class Visitor(Answer):
    name: str | None
    email: str | None


class AssignedAgent(Answer):
    id: int
    name: str | None


class Summary(Answer):
    """A conversation as the inbox lists it."""

    id: int
    visitor: Visitor
    status: Literal["open", "closed"]
    created_at: Timestamp
    last_activity_at: Timestamp
    last_message: Message | None
    unread: int
    visitor_online: bool
    visitor_typing: bool
    page_url: str | None
    state: State
    snoozed_until: Timestamp | None
    assignee: AssignedAgent | None
    waiting_since: Timestamp | None


class Actor(Answer):
    name: str


class Activity(Answer):
    """A line of the timeline that is not a message: a note, or what happened."""

    id: int
    conversation_id: int
    after_seq: int
    kind: str = Field(description="note, assigned, unassigned, resolved, reopened, snoozed...")
    actor: Actor | None
    subject: str | None
    body: str | None
    created_at: Timestamp


class NewConversationAnswer(Answer):
    """The new conversation and the visitor's only key to it."""

    conversation_id: int
    visitor_token: str


class MessagePage(Answer):
    """A page of messages, oldest first."""

    messages: list[Message]
    has_more: bool


class Transcript(Answer):
    """The whole conversation (with ``activities`` for agents)."""

    conversation: Summary
    messages: list[Message]
    exported_at: Timestamp
    activities: list[Activity] | SkipJsonSchema[None] = absent("agents only")


class Counts(Answer):
    unassigned: int
    open: int
    snoozed: int
    resolved: int
    all: int
    by_assignee: dict[str, int] = Field(description="open chats by agent id (as text)")
    mine: int


class ConversationPage(Answer):
    """A page of conversation summaries."""

    conversations: list[Summary]
    next_cursor: str | None = Field(
        default=None,
        description="null on the last page; left out there when none of "
        "view, sort and cursor was given",
    )
    counts: Counts | SkipJsonSchema[None] = absent("on a first page asked for by view")


class ConversationAnswer(Answer):
    """The conversation's summary."""

    conversation: Summary


class StateAnswer(Answer):
    """The conversation's summary and the line recorded (null when nothing changed)."""

    conversation: Summary
    activity: Activity | None


class NoteAnswer(Answer):
    """The note, as a line of the timeline."""

    activity: Activity


class RosterAgent(Answer):
    id: int
    name: str
    role: Literal["admin", "agent"]
    available: bool
    online: bool


class Roster(Answer):
    """Every enabled agent."""

    agents: list[RosterAgent]


class RosterEntry(Answer):
    """The agent's line of the roster."""

    agent: RosterAgent


class AgentDetails(Answer):
    id: int
    email: str
    name: str
    role: Literal["admin", "agent"]
    disabled: bool
    available: bool
    created_at: Timestamp
    last_login_at: Timestamp | None


class AgentList(Answer):
    """Every agent, disabled ones too."""

    agents: list[AgentDetails]


class AgentAnswer(Answer):
    """The agent."""

    agent: AgentDetails


class Canned(Answer):
    """A canned response."""

    id: int
    shortcut: str
    body: str
    created_at: Timestamp
    updated_at: Timestamp


class CannedList(Answer):
    """Every canned response, sorted by shortcut."""

    canned: list[Canned]


class HitMessage(Answer):
    id: int
    seq: int
    sender: Sender
    author: Author
    created_at: Timestamp


class SnippetPart(Answer):
    text: str
    mark: bool


class Hit(Answer):
    conversation: Summary
    message: HitMessage | None = Field(description="null when the visitor's name or email matched")
    snippet: list[SnippetPart]


class SearchPage(Answer):
    """A page of hits, newest first."""

    hits: list[Hit]
    next_cursor: str | None


class Token(Answer):
    """A new API token: keep it, it is shown once."""

    token: str


def settings_answer() -> type[Answer]:
    """``{"settings": {...}}`` with every known setting and its type."""
    from app.services.settings import KNOWN

    values = create_model(
        "SettingValues",
        __base__=Answer,
        **{key: (known.type, Field(description=known.description)) for key, known in KNOWN.items()},
    )
    return create_model(
        "Settings", __base__=Answer, __doc__="Every desk setting with its value.", settings=values
    )


class OpenApiDocument(BaseModel):
    """An OpenAPI 3.1 document."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict
    paths: dict
    components: dict
