"""Who a socket or an API request is: a conversation's visitor or an agent."""

from dataclasses import asdict, dataclass

from flask import request, session
from flask_login import current_user

from app.auth import tokens
from app.chat import service
from app.errors import ChatError
from app.models import Agent, Conversation
from app.origins import is_own_origin_request


@dataclass(frozen=True)
class Identity:
    role: str  # "visitor" or "agent"
    name: str
    conversation_id: int | None = None  # a visitor's own conversation
    agent_id: int | None = None
    api_token_id: int | None = None  # an agent authenticated by API token
    login_id: str | None = None  # an agent authenticated by the inbox's cookie

    @classmethod
    def of_visitor(cls, conversation: Conversation) -> "Identity":
        return cls("visitor", conversation.visitor_display_name, conversation_id=conversation.id)

    @classmethod
    def of_agent(cls, agent: Agent, **credential) -> "Identity":
        return cls("agent", agent.name, agent_id=agent.id, **credential)

    @property
    def is_agent(self) -> bool:
        return self.role == "agent"

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


def identify(auth: object) -> Identity | None:
    """Identify a new socket from its ``auth`` object or the agent's session cookie.

    The cookie counts only on the server's own pages: a site that shares the
    chat's domain sends it too (SameSite=Lax), and must not act as the agent.
    """
    if isinstance(auth, dict) and "visitor_token" in auth:
        conversation = service.conversation_for_token(auth["visitor_token"])
        return Identity.of_visitor(conversation) if conversation else None
    if isinstance(auth, dict) and "token" in auth:
        row = tokens.find_token(auth["token"])
        return Identity.of_agent(row.agent, api_token_id=row.id) if row else None
    if is_own_origin_request(request.environ) and current_user.is_authenticated:
        return Identity.of_agent(current_user.agent, login_id=current_user.id)
    return None


def remember(identity: Identity) -> None:
    """Keep the identity in this socket's own session."""
    session["identity"] = asdict(identity)


def current_identity() -> Identity:
    data = session.get("identity")
    if data is None:
        raise ChatError("unauthorized", "not authenticated")
    return Identity(**data)
