"""``flask agents``: manage the agents who answer in the inbox."""

import click

from app.errors import ChatError
from app.models import ROLES, Agent
from app.realtime.emit import sockets_of_closed_after
from app.services import agents as service


def _find(email: str) -> Agent:
    agent = service.find_agent(email)
    if agent is None:
        raise click.ClickException(f"no agent with email {email}")
    return agent


def _refused(exc: ChatError) -> click.ClickException:
    return click.ClickException(exc.message)


@click.group()
def agents():
    """Create and manage agents."""


@agents.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Shown to visitors, e.g. Tess.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin", is_flag=True, help="An admin, who also manages agents and settings.")
def create(email, name, password, admin):
    """Create an agent who can log in to the inbox."""
    try:
        agent = service.create_agent(email, name, password, "admin" if admin else "agent")
    except ChatError as exc:
        raise _refused(exc) from None
    click.echo(f"Created {agent.role} {agent.name} <{agent.email}>")


@agents.command("list")
def list_agents():
    """List the agents: id, email, name, role, state."""
    for agent in service.all_agents():
        state = "disabled" if agent.disabled else "active"
        click.echo(f"{agent.id}\t{agent.email}\t{agent.name}\t{agent.role}\t{state}")


@agents.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def set_role(email, role):
    """Make an agent an admin or a plain agent.

    The last enabled admin cannot be made a plain agent. The agent's open
    inboxes reconnect with the new role.
    """
    agent = _find(email)
    try:
        with sockets_of_closed_after(agent_id=agent.id):
            service.set_role(agent, role)
    except ChatError as exc:
        raise _refused(exc) from None
    click.echo(f"{agent.email} is now {'an admin' if agent.is_admin else 'an agent'}")


@agents.command("disable")
@click.argument("email")
def disable(email):
    """Stop an agent from logging in or using the API.

    Every login and API token of the agent ends, and stays ended if the agent
    is enabled again; open sockets close within a second.
    """
    agent = _find(email)
    try:
        service.set_disabled(agent, True)
    except ChatError as exc:
        raise _refused(exc) from None
    click.echo(f"Disabled {agent.email}")


@agents.command("enable")
@click.argument("email")
def enable(email):
    """Let a disabled agent log in again."""
    agent = _find(email)
    service.set_disabled(agent, False)
    click.echo(f"Enabled {agent.email}")


@agents.command("set-password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def set_password(email, password):
    """Reset an agent's password, ending every login and API token of theirs."""
    agent = _find(email)
    try:
        service.set_password(agent, password)
    except ChatError as exc:
        raise _refused(exc) from None
    click.echo(f"Password changed for {agent.email}; their logins and API tokens are ended")
