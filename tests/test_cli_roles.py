"""``flask agents``: roles (create --admin, set-role, list) and the last admin."""

import pytest

from app import db
from app.models import Agent
from tests.harness.credentials import AGENT_EMAIL
from tests.test_cli import PASSWORD, agents, create, stored_agents


def roles() -> dict[str, tuple[str, bool]]:
    return {agent.email: (agent.role, agent.disabled) for agent in stored_agents()}


@pytest.fixture
def admin(agent):
    """The fixture's agent, Tess, made the desk's only admin."""
    agent.role = "admin"
    db.session.commit()
    return agent


def test_create_admin(runner):
    result = agents(
        runner, "create", "ana@example.com", "--name", "Ana", "--password", PASSWORD, "--admin"
    )

    assert result.exit_code == 0, result.output
    assert "Created admin Ana <ana@example.com>" in result.output
    assert roles() == {"ana@example.com": ("admin", False)}


def test_list_shows_the_role(runner, admin):
    create(runner)

    lines = agents(runner, "list").output.strip().splitlines()

    assert [line.split("\t")[1:] for line in lines] == [
        [AGENT_EMAIL, "Tess", "admin", "active"],
        ["ana@example.com", "Ana", "agent", "active"],
    ]


def test_set_role_promotes_and_demotes(runner, admin):
    create(runner)

    promoted = agents(runner, "set-role", "ANA@example.com", "admin")
    assert promoted.exit_code == 0, promoted.output
    assert "ana@example.com is now an admin" in promoted.output
    assert roles()["ana@example.com"] == ("admin", False)

    demoted = agents(runner, "set-role", AGENT_EMAIL, "agent")
    assert demoted.exit_code == 0, demoted.output
    assert roles() == {AGENT_EMAIL: ("agent", False), "ana@example.com": ("admin", False)}


def test_the_last_admin_cannot_be_demoted(runner, admin):
    create(runner)

    result = agents(runner, "set-role", AGENT_EMAIL, "agent")

    assert result.exit_code == 1
    assert "cannot demote the last enabled admin" in result.output
    assert roles()[AGENT_EMAIL] == ("admin", False)


def test_the_last_admin_cannot_be_disabled(runner, admin):
    result = agents(runner, "disable", AGENT_EMAIL)

    assert result.exit_code == 1
    assert "cannot disable the last enabled admin" in result.output
    assert roles()[AGENT_EMAIL] == ("admin", False)


def test_a_disabled_admin_does_not_count_as_the_other_admin(runner, admin):
    db.session.add(Agent(email="old@example.com", name="Old", password_hash="x", role="admin"))
    db.session.commit()
    assert agents(runner, "disable", "old@example.com").exit_code == 0

    assert agents(runner, "set-role", AGENT_EMAIL, "agent").exit_code == 1
    assert agents(runner, "disable", AGENT_EMAIL).exit_code == 1
    assert roles()[AGENT_EMAIL] == ("admin", False)


def test_an_admin_can_be_disabled_while_another_remains(runner, admin):
    agents(runner, "create", "ana@example.com", "--name", "Ana", "--password", PASSWORD, "--admin")

    assert agents(runner, "disable", AGENT_EMAIL).exit_code == 0
    assert roles()[AGENT_EMAIL] == ("admin", True)


@pytest.mark.parametrize("role", ["owner", "ADMIN", ""])
def test_set_role_to_an_unknown_role_fails(runner, admin, role):
    result = agents(runner, "set-role", AGENT_EMAIL, role)

    assert result.exit_code == 2
    assert "Invalid value" in result.output
    assert roles()[AGENT_EMAIL] == ("admin", False)


def test_set_role_of_unknown_email_fails(runner, admin):
    result = agents(runner, "set-role", "nobody@example.com", "admin")

    assert result.exit_code == 1
    assert "no agent with email nobody@example.com" in result.output


def test_set_role_closes_the_agents_sockets_which_reconnect_with_the_new_role(
    runner, connect, agent, agent_token
):
    socket = connect(token=agent_token)
    assert socket.is_connected()

    agents(runner, "set-role", AGENT_EMAIL, "admin")

    assert not socket.is_connected()
    again = connect(token=agent_token)
    assert again.is_connected()
