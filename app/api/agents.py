"""Admins manage the desk's agents: add, rename, change role, disable, reset."""

from flask import current_app

from app import limiter
from app.api import bp
from app.api import responses as answers
from app.api.auth import admin_caller, admin_changer
from app.api.conversations import json_body, validated
from app.api.description import described
from app.clock import iso
from app.models import Agent
from app.realtime import roster
from app.realtime.emit import sockets_of_closed_after
from app.schemas import AgentChange, NewAgent, NewPassword
from app.services import agents

AGENT_ID = "<int(max=2147483647):agent_id>"


def password_rate() -> str:
    return current_app.config["CHAT_ADMIN_PASSWORD_RATE"]


# One count for both requests that hash a password.
limit_password_hashing = limiter.shared_limit(password_rate, scope="admin_password")


def agent_details(agent: Agent, last_login_at=None) -> dict:
    """An agent as admins see it."""
    return {
        "id": agent.id,
        "email": agent.email,
        "name": agent.name,
        "role": agent.role,
        "disabled": agent.disabled,
        "available": agent.available,
        "created_at": iso(agent.created_at),
        "last_login_at": iso(last_login_at),
    }


@bp.route("/admin/agents", methods=["GET"])
@described(tag="admin", auth="admin", answers={200: answers.AgentList})
def list_agents_for_admins():
    """Every agent, disabled ones too, with role and last login (admins)."""
    admin_caller()
    return {"agents": [agent_details(*row) for row in agents.agents_with_last_login()]}


@bp.route("/admin/agents", methods=["POST"])
@described(
    tag="admin",
    auth="admin",
    body=NewAgent,
    answers={201: answers.AgentAnswer},
    errors=("conflict", "rate_limited"),
)
@limit_password_hashing
def create_agent():
    """Add an agent who can then log in (admins).

    Body: ``{"email", "name", "password", "role"}`` (role "agent" unless
    given). Answers ``201 {"agent": ...}``; ``409 conflict`` if the email
    is taken. Hashing the password is slow: ``CHAT_ADMIN_PASSWORD_RATE``
    limits these requests and password resets per address (``429``).
    """
    admin_changer()
    details = validated(NewAgent, json_body())
    agent = agents.create_agent(details.email, details.name, details.password, details.role)
    roster.send_soon()  # open inboxes can assign chats to the new agent
    return {"agent": agent_details(agent)}, 201


@bp.route(f"/admin/agents/{AGENT_ID}", methods=["PATCH"])
@described(
    tag="admin",
    auth="admin",
    body=AgentChange,
    answers={200: answers.AgentAnswer},
    errors=("not_found", "conflict"),
)
def update_agent(agent_id: int):
    """Change an agent's ``name``, ``role`` or ``disabled`` (admins).

    All or nothing. The last enabled admin can be neither demoted nor
    disabled (``409 conflict``). A change of name or role, or disabling,
    closes the agent's sockets at once: they remember the identity (name
    and role) they connected with, and the inbox reconnects with the new one.
    """
    admin_changer()
    change = validated(AgentChange, json_body())
    agent = agents.get_agent(agent_id)
    renamed = change.name not in (None, agent.name)
    if renamed or change.role not in (None, agent.role) or change.disabled:
        with sockets_of_closed_after(agent_id=agent.id):
            agents.update_agent(agent, change.name, change.role, change.disabled)
    else:
        agents.update_agent(agent, change.name, change.role, change.disabled)
    roster.send_soon()
    return {"agent": agent_details(agent)}


@bp.route(f"/admin/agents/{AGENT_ID}/password", methods=["POST"])
@described(
    tag="admin",
    auth="admin",
    body=NewPassword,
    answers={204: None},
    errors=("not_found", "rate_limited"),
)
@limit_password_hashing
def reset_password(agent_id: int):
    """Set a new password for an agent (admins). Answers 204.

    Every login and API token of theirs ends, and their sockets close.
    """
    admin_changer()
    new = validated(NewPassword, json_body())
    agent = agents.get_agent(agent_id)
    with sockets_of_closed_after(agent_id=agent.id):
        agents.set_password(agent, new.password)
    return "", 204
