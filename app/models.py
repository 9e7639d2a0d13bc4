"""Database models: agents, their logins and API tokens, conversations,
messages, the desk's activity lines, notes, canned responses and settings,
and the connections and presence every server process shares."""

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin
from werkzeug.security import generate_password_hash

from app import db
from app.clock import utcnow

# The two sides of a conversation: who sends a message, who types, who reads.
SIDES = ("visitor", "agent")

# What an agent may do: admins also manage agents and the desk's settings.
ROLES = ("admin", "agent")

# Where a conversation stands on the desk. A chat the visitor ended is
# ``status == "closed"`` (final); these are the states of one that is not.
STATES = ("open", "snoozed", "resolved")

# What an API token allows: "read" reads only, "read-write" does all its agent may.
TOKEN_SCOPES = ("read", "read-write")


def other_side(side: str) -> str:
    return "agent" if side == "visitor" else "visitor"


class Agent(db.Model):
    __tablename__ = "agents"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(64))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    disabled: so.Mapped[bool] = so.mapped_column(default=False)
    role: so.Mapped[str] = so.mapped_column(sa.String(8), default="agent", server_default="agent")
    # Available agents count as online for visitors and take new chats when
    # automatic assignment is on; away agents still see the inbox.
    available: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    # When automatic assignment last gave this agent a chat: the next one
    # goes to whoever got one least recently (never first).
    auto_assigned_at: so.Mapped[datetime | None] = so.mapped_column()
    # Whether every inbox was last told the agent is connected: changed by
    # conditional updates, so that each change is told once (see presence).
    connected: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    @property
    def is_active(self) -> bool:
        return not self.disabled

    def __repr__(self) -> str:
        return f"<Agent {self.email}>"


class AgentLogin(UserMixin, db.Model):
    """An agent's login in a browser: Flask-Login's user (``current_user``).

    The session and remember-me cookies name it by its random id, so that the
    server can end it (see app/services/agents.py).
    """

    __tablename__ = "agent_logins"

    id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    agent_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column()
    revoked_at: so.Mapped[datetime | None] = so.mapped_column()

    agent: so.Mapped[Agent] = so.relationship()

    @property
    def is_active(self) -> bool:
        return self.agent.is_active


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    agent_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # None: the token never expires (a named token its agent chose so).
    expires_at: so.Mapped[datetime | None] = so.mapped_column()
    # What the agent called it; None for one exchanged for a password.
    name: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    # One of TOKEN_SCOPES: a "read" token may read but change nothing.
    scope: so.Mapped[str] = so.mapped_column(
        sa.String(16), default="read-write", server_default="read-write"
    )
    # Kept to the minute, not written on every request.
    last_used_at: so.Mapped[datetime | None] = so.mapped_column()

    agent: so.Mapped[Agent] = so.relationship()


class Conversation(db.Model):
    __tablename__ = "conversations"
    __table_args__ = (
        sa.Index("ix_conversations_state_activity", "state", "last_activity_at"),
        sa.Index("ix_conversations_assignee_state", "assignee_id", "state"),
        # The inbox's counts read only the chats on the desk (open, snoozed),
        # from this index alone.
        sa.Index("ix_conversations_desk_counts", "state", "assignee_id", "status"),
        # "Longest waiting": the few chats that wait, in order.
        sa.Index(
            "ix_conversations_waiting",
            "waiting_since",
            "id",
            sqlite_where=sa.text("waiting_since IS NOT NULL"),
            postgresql_where=sa.text("waiting_since IS NOT NULL"),
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    visitor_token_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64), unique=True)
    visitor_name: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    visitor_email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    page_url: so.Mapped[str | None] = so.mapped_column(sa.String(2048))
    # "open", or "closed" once the visitor ended the chat (final).
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="open")
    # The desk's state of a chat: one of STATES.
    state: so.Mapped[str] = so.mapped_column(sa.String(16), default="open", server_default="open")
    snoozed_until: so.Mapped[datetime | None] = so.mapped_column(index=True)
    assignee_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("agents.id", ondelete="SET NULL")
    )
    # Since when the visitor's newest message waits for an agent's answer.
    waiting_since: so.Mapped[datetime | None] = so.mapped_column()
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    last_activity_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)
    # The seq of the newest message; the next message takes last_seq + 1.
    last_seq: so.Mapped[int] = so.mapped_column(default=0)
    # Receipt high-water marks: how far each side has received and seen the
    # other side's messages. They only ever go up.
    visitor_delivered_seq: so.Mapped[int] = so.mapped_column(default=0)
    visitor_seen_seq: so.Mapped[int] = so.mapped_column(default=0)
    agent_delivered_seq: so.Mapped[int] = so.mapped_column(default=0)
    agent_seen_seq: so.Mapped[int] = so.mapped_column(default=0)
    # Visitor messages no agent has seen yet.
    unread_count: so.Mapped[int] = so.mapped_column(default=0)
    # The visitor's messages so far: the first is what automatic assignment waits for.
    visitor_messages: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    visitor_online: so.Mapped[bool] = so.mapped_column(default=False)
    visitor_typing_until: so.Mapped[datetime | None] = so.mapped_column(index=True)
    agent_typing_until: so.Mapped[datetime | None] = so.mapped_column(index=True)
    agent_typing_name: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # The site's user this visitor proved to be (a signed identity), if any.
    contact_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("contacts.id", ondelete="SET NULL", name="fk_conversations_contact_id"),
        index=True,
    )

    messages: so.WriteOnlyMapped["Message"] = so.relationship(
        back_populates="conversation", passive_deletes=True
    )
    assignee: so.Mapped[Agent | None] = so.relationship()

    @property
    def visitor_display_name(self) -> str:
        return self.visitor_name or "Visitor"

    @property
    def visitor_typing(self) -> bool:
        return self.visitor_typing_until is not None


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        sa.UniqueConstraint("conversation_id", "seq", name="uq_messages_seq"),
        sa.UniqueConstraint("conversation_id", "sender", "client_id", name="uq_messages_client_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    conversation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE")
    )
    seq: so.Mapped[int] = so.mapped_column()
    client_id: so.Mapped[str] = so.mapped_column(sa.String(64))
    sender: so.Mapped[str] = so.mapped_column(sa.String(8))
    author_name: so.Mapped[str] = so.mapped_column(sa.String(100))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    delivered_at: so.Mapped[datetime | None] = so.mapped_column()
    seen_at: so.Mapped[datetime | None] = so.mapped_column()
    # The file the message carries (see StoredFile): its id, name, size,
    # type and image size, copied here so that pages of messages need no join.
    file: so.Mapped[dict | None] = so.mapped_column(sa.JSON)

    conversation: so.Mapped[Conversation] = so.relationship(back_populates="messages")


class Activity(db.Model):
    """A line of a conversation's timeline that is not a message: a private
    note, or what an agent (or the desk) did ("Tess resolved this").

    Agents only, always. It takes no seq (the visitor's messages keep theirs
    gapless) but sits after message ``after_seq``, in the order stored.
    """

    __tablename__ = "activities"
    __table_args__ = (
        sa.Index("ix_activities_timeline", "conversation_id", "after_seq", "id"),
        # A note is stored once per client_id, however often the agent's
        # client retries it; other lines have none (NULLs never collide).
        sa.UniqueConstraint("conversation_id", "client_id", name="uq_activities_client_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    conversation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE")
    )
    after_seq: so.Mapped[int] = so.mapped_column()
    # "note", or what happened: "resolved", "reopened", "snoozed", "assigned"...
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    agent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("agents.id", ondelete="SET NULL")
    )
    # Who did it, as shown: an agent's name, or None for the desk itself.
    actor_name: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    # Whom it was done to (the new assignee), when anyone.
    subject_name: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    # A note's text; for other kinds, optional detail (a snooze's end time).
    body: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # The id the agent's client gave a note, so that a retry stores it once.
    client_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class CannedResponse(db.Model):
    """A shared reply an agent inserts by typing its ``/shortcut``."""

    __tablename__ = "canned_responses"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    shortcut: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_by: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("agents.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class Setting(db.Model):
    """A desk setting admins change in the inbox, as JSON text by key."""

    __tablename__ = "settings"

    key: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    value: so.Mapped[str] = so.mapped_column(sa.Text)


class AgentPresence(db.Model):
    """Whether visitors were last told that agents are online: one row, id 1.

    Every server process announces a change of agents' presence only if its
    conditional update of this row changed it, so each change from online to
    offline (or back) is announced once, however many sockets or processes
    notice it.
    """

    __tablename__ = "agent_presence"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    online: so.Mapped[bool] = so.mapped_column(default=False)


class Connection(db.Model):
    """An open Socket.IO connection, visible to every server process.

    Presence is derived from these rows. Each process refreshes the heartbeat
    of its own rows, so rows left by a process that died expire.
    """

    __tablename__ = "connections"

    sid: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(8))
    conversation_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    agent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
    # The credential the socket connected with, so that revoking it (logout,
    # token revocation) disconnects the socket.
    api_token_id: so.Mapped[int | None] = so.mapped_column(index=True)
    login_id: so.Mapped[str | None] = so.mapped_column(sa.String(32), index=True)
    process_id: so.Mapped[str] = so.mapped_column(sa.String(32), index=True)
    heartbeat_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class OutboxJob(db.Model):
    """Work to do after a commit (a webhook delivery, an email), stored in the
    transaction of the event that causes it, and run in the background.

    A process claims a due job by moving its lease forward with a conditional
    update, so one process runs it; a process that dies holding a job leaves
    a lease that ends, and another process runs the job again.
    """

    __tablename__ = "outbox_jobs"
    __table_args__ = (sa.Index("ix_outbox_jobs_status_due_at", "status", "due_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(64))
    payload: so.Mapped[str] = so.mapped_column(sa.Text)  # JSON
    # pending (to run, now or at due_at), done, or failed (after the last attempt).
    status: so.Mapped[str] = so.mapped_column(sa.String(8), default="pending")
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    due_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # Who holds the job, until when: a claim that is over may be taken again.
    lease_until: so.Mapped[datetime | None] = so.mapped_column()
    claim: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    finished_at: so.Mapped[datetime | None] = so.mapped_column()


class WebhookEndpoint(db.Model):
    """An address admins registered to be told of the desk's events.

    Its secret signs each delivery, so it is stored as it is (admins see it
    in the inbox, and the server needs it to sign). A deleted endpoint keeps
    its row, marked, until its deliveries are gone: other processes may
    still record deliveries for it for a moment (their list of endpoints is
    cached), and those are then dropped, never sent.
    """

    __tablename__ = "webhook_endpoints"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    url: so.Mapped[str] = so.mapped_column(sa.String(2048))
    description: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    # The event names it wants, space-separated.
    events: so.Mapped[str] = so.mapped_column(sa.String(500))
    secret: so.Mapped[str] = so.mapped_column(sa.String(100))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    deleted_at: so.Mapped[datetime | None] = so.mapped_column()


class WebhookDelivery(db.Model):
    """One event for one endpoint: the body as recorded with the event, and
    how its delivery went (the endpoint's delivery log)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at"),
    )

    # The Webhook-Id header: random, so it is known before any flush.
    id: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    endpoint_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey(
            "webhook_endpoints.id",
            ondelete="CASCADE",
            name="fk_webhook_deliveries_endpoint_id_webhook_endpoints",
        )
    )
    event: so.Mapped[str] = so.mapped_column(sa.String(40))
    body: so.Mapped[str] = so.mapped_column(sa.Text)  # the JSON sent, byte for byte
    # pending (to send or being retried), delivered, failed, or dropped
    # (its endpoint was deleted or no longer wants the event).
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default="pending")
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    response_code: so.Mapped[int | None] = so.mapped_column()
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    last_attempt_at: so.Mapped[datetime | None] = so.mapped_column()


class Contact(db.Model):
    """A person the host site vouched for: its user id, signed with the
    desk's identity secret. Their conversations, on any device, are theirs."""

    __tablename__ = "contacts"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # The site's own user id (the signed ``user_id``).
    external_id: so.Mapped[str] = so.mapped_column(sa.String(255), unique=True)
    name: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    last_seen_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class VisitorKey(db.Model):
    """One more visitor token of a conversation: a signed visitor's other
    device or browser. Ending the conversation deletes them all."""

    __tablename__ = "visitor_keys"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    conversation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class VisitorContext(db.Model):
    """What the widget knew about the visitor's browser when it last
    connected, for agents: never HTML, never a query string."""

    __tablename__ = "visitor_contexts"

    conversation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    page_title: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    referrer: so.Mapped[str | None] = so.mapped_column(sa.String(2048))
    user_agent: so.Mapped[str | None] = so.mapped_column(sa.String(512))
    browser: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    os: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    language: so.Mapped[str | None] = so.mapped_column(sa.String(35))
    time_zone: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # When the widget first saw this browser on the site (its own storage).
    first_seen_at: so.Mapped[datetime | None] = so.mapped_column()
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


class StoredFile(db.Model):
    """A file a visitor or an agent uploaded to a conversation.

    Its bytes (and an image's thumbnail) are in the file store chosen by
    ``CHAT_FILE_STORAGE`` (app/services/file_store.py); its type is what the
    server found in the content, never what the client said.
    """

    __tablename__ = "files"

    # Random, so that ids tell nothing of how many files there are.
    id: so.Mapped[str] = so.mapped_column(sa.String(32), primary_key=True)
    conversation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE", name="fk_files_conversation_id"),
        index=True,
    )
    # Who uploaded it: "visitor" or "agent"; only that side may send it.
    uploader: so.Mapped[str] = so.mapped_column(sa.String(8))
    name: so.Mapped[str] = so.mapped_column(sa.String(255))
    content_type: so.Mapped[str] = so.mapped_column(sa.String(127))
    size: so.Mapped[int] = so.mapped_column()
    # An image's size in pixels; None for other files.
    width: so.Mapped[int | None] = so.mapped_column()
    height: so.Mapped[int | None] = so.mapped_column()
    has_thumbnail: so.Mapped[bool] = so.mapped_column(default=False)
    # Whether a message carries it: files never sent are swept after a while.
    sent: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, index=True)


class FileBlob(db.Model):
    """The bytes of a file, for ``CHAT_FILE_STORAGE=database``: every
    server process on every machine reads the same ones, and they go with
    their conversation when it is deleted."""

    __tablename__ = "file_blobs"

    key: so.Mapped[str] = so.mapped_column(sa.String(80), primary_key=True)
    conversation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE", name="fk_file_blobs_conversation_id"),
        index=True,
    )
    data: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary)


class Rating(db.Model):
    """A visitor's rating of a resolved chat: one per resolution (the
    "resolved" activity line it answers), which the visitor may change until
    the chat reopens."""

    __tablename__ = "ratings"
    __table_args__ = (
        sa.UniqueConstraint("resolution_id", name="uq_ratings_resolution"),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="ck_ratings_score"),
        sa.Index("ix_ratings_conversation", "conversation_id", "id"),
        sa.Index("ix_ratings_agent_id", "agent_id"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    conversation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("conversations.id", ondelete="CASCADE", name="fk_ratings_conversation")
    )
    resolution_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("activities.id", ondelete="CASCADE", name="fk_ratings_resolution")
    )
    # The agent the rating counts for in reports: the chat's assignee when
    # it was rated, else the agent who resolved it.
    agent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("agents.id", ondelete="SET NULL", name="fk_ratings_agent")
    )
    score: so.Mapped[int] = so.mapped_column()
    comment: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)


# Reports read the conversations that started in a period.
sa.Index("ix_conversations_created_at", Conversation.created_at)
