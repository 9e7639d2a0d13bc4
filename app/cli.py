"""``flask agents``: manage the agents who answer in the inbox."""

import click
import sqlalchemy as sa

from app import db
from app.auth.logins import end_everything
from app.models import Agent


def _find(email: str) -> Agent:
    agent = db.session.scalar(sa.select(Agent).where(Agent.email == email.strip().lower()))
    if agent is None:
        raise click.ClickException(f"no agent with email {email}")
    return agent


@click.group()
def agents():
    """Create and manage agents."""


@agents.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Shown to visitors, e.g. Tess.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create(email, name, password):
    """Create an agent who can log in to the inbox."""
    email = email.strip().lower()
    if "@" not in email:
        raise click.ClickException("that is not an email address")
    if len(password) < 8:
        raise click.ClickException("the password must have at least 8 characters")
    if db.session.scalar(sa.select(Agent.id).where(Agent.email == email)):
        raise click.ClickException(f"an agent with email {email} exists already")
    agent = Agent(email=email, name=name.strip()[:64])
    agent.set_password(password)
    db.session.add(agent)
    db.session.commit()
    click.echo(f"Created agent {agent.name} <{agent.email}>")


@agents.command("list")
def list_agents():
    """List the agents."""
    for agent in db.session.scalars(sa.select(Agent).order_by(Agent.id)):
        state = "disabled" if agent.disabled else "active"
        click.echo(f"{agent.id}\t{agent.email}\t{agent.name}\t{state}")


@agents.command("disable")
@click.argument("email")
def disable(email):
    """Stop an agent from logging in or using the API.

    Every login and API token of the agent ends, and stays ended if the agent
    is enabled again; open sockets close within a second.
    """
    agent = _find(email)
    agent.disabled = True
    end_everything(agent)
    db.session.commit()
    click.echo(f"Disabled {agent.email}")


@agents.command("enable")
@click.argument("email")
def enable(email):
    """Let a disabled agent log in again."""
    agent = _find(email)
    agent.disabled = False
    db.session.commit()
    click.echo(f"Enabled {agent.email}")


@agents.command("set-password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def set_password(email, password):
    """Reset an agent's password, ending every login and API token of theirs."""
    if len(password) < 8:
        raise click.ClickException("the password must have at least 8 characters")
    agent = _find(email)
    agent.set_password(password)
    end_everything(agent)
    db.session.commit()
    click.echo(f"Password changed for {agent.email}; their logins and API tokens are ended")
