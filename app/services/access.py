"""Who is acting: a conversation's visitor or an agent, and on which conversation.

Sockets and API requests both come here with what the client presented
(``Credentials``) and get an ``Identity``, or nothing.
"""

from dataclasses import dataclass

from app.errors import ChatError
from app.models import Agent, AgentLogin, Conversation
from app.services import tokens
from app.services.conversations import conversation_for_token


@dataclass(frozen=True)
class Identity:
    role: str  # "visitor" or "agent"
    name: str
    conversation_id: int | None = None  # a visitor's own conversation
    agent_id: int | None = None
    api_token_id: int | None = None  # an agent authenticated by API token
    login_id: str | None = None  # an agent authenticated by the inbox's cookie
    admin: bool = False  # an agent who may manage agents and settings
    # False for an API token of scope "read": it may read, never change anything.
    can_write: bool = True

    @classmethod
    def of_visitor(cls, conversation: Conversation) -> "Identity":
        return cls("visitor", conversation.visitor_display_name, conversation_id=conversation.id)

    @classmethod
    def of_agent(cls, agent: Agent, **credential) -> "Identity":
        return cls("agent", agent.name, agent_id=agent.id, admin=agent.is_admin, **credential)

    @property
    def is_agent(self) -> bool:
        return self.role == "agent"

    def check_can_write(self) -> None:
        """``forbidden`` for a read-only token."""
        if not self.can_write:
            raise ChatError("forbidden", "this API token may only read")

    def conversation_for(self, requested_id: int | None) -> int:
        """The id of the conversation this identity acts on.

        A visitor always acts on its own conversation, whatever it asks for;
        an agent must name one. Whether it still exists is for the service
        to find out, in the same statement that acts on it.
        """
        if not self.is_agent:
            return self.conversation_id
        if requested_id is None:
            raise ChatError("invalid", "conversation_id is required")
        return requested_id


@dataclass(frozen=True)
class Credentials:
    """What a client presented. A token field is None when none was offered;
    ``login`` is the browser's login, where its cookie counts."""

    visitor_token: object = None
    agent_token: object = None
    login: AgentLogin | None = None

    @property
    def offers_token(self) -> bool:
        return self.visitor_token is not None or self.agent_token is not None


def identify(credentials: Credentials) -> Identity | None:
    """The identity the credentials prove, or None.

    A token that was offered decides alone: when it is wrong, the cookie
    does not count either.
    """
    if credentials.visitor_token is not None:
        conversation = conversation_for_token(credentials.visitor_token)
        if conversation is not None:
            return Identity.of_visitor(conversation)
    if credentials.agent_token is not None:
        row = tokens.find_token(credentials.agent_token)
        if row is not None:
            can_write = row.scope == tokens.READ_WRITE
            return Identity.of_agent(row.agent, api_token_id=row.id, can_write=can_write)
    if credentials.offers_token or credentials.login is None:
        return None
    return Identity.of_agent(credentials.login.agent, login_id=credentials.login.id)
