"""``flask agents``: create, list, disable, enable, set-password."""

import base64
import time

import pytest
import sqlalchemy as sa

from app import db, socketio
from app.models import Agent
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD

PASSWORD = "long enough password"


def agents(runner, *args, input=None):
    return runner.invoke(args=["agents", *args], input=input)


def create(runner, email="ana@example.com", name="Ana", password=PASSWORD):
    return agents(runner, "create", email, "--name", name, "--password", password)


def stored_agents() -> list[Agent]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Agent).order_by(Agent.id)))


def token_for(client, email, password):
    """POST /api/v1/tokens with HTTP Basic; the response."""
    secret = base64.b64encode(f"{email}:{password}".encode()).decode()
    return client.post("/api/v1/tokens", headers={"Authorization": f"Basic {secret}"})


def can_log_in(client, email, password) -> bool:
    """Log in through the form; True if the session then opens the inbox API."""
    response = client.post("/login", data={"email": email, "password": password})
    logged_in = client.get("/api/v1/conversations").status_code == 200
    assert (response.status_code == 302) is logged_in
    client.post("/logout")
    return logged_in


def inbox_status(client, token) -> int:
    return client.get(
        "/api/v1/conversations", headers={"Authorization": f"Bearer {token}"}
    ).status_code


# --- create -------------------------------------------------------------------


def test_create_agent_who_can_then_log_in_and_get_a_token(runner, client):
    result = create(runner)

    assert result.exit_code == 0, result.output
    assert "Created agent Ana <ana@example.com>" in result.output
    assert stored_agents()[0].role == "agent"
    [agent] = stored_agents()
    assert (agent.email, agent.name, agent.disabled) == ("ana@example.com", "Ana", False)
    assert PASSWORD not in agent.password_hash
    assert token_for(client, "ana@example.com", PASSWORD).status_code == 200
    assert can_log_in(client, "ana@example.com", PASSWORD)


def test_create_normalises_email(runner, client):
    result = create(runner, email="  Ana@Example.COM ")

    assert result.exit_code == 0, result.output
    assert [a.email for a in stored_agents()] == ["ana@example.com"]
    assert token_for(client, "ana@example.com", PASSWORD).status_code == 200


def test_create_prompts_for_password_twice(runner, client):
    result = agents(
        runner, "create", "ana@example.com", "--name", "Ana", input=f"{PASSWORD}\n{PASSWORD}\n"
    )

    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert token_for(client, "ana@example.com", PASSWORD).status_code == 200


def test_create_with_mismatched_prompted_passwords_asks_again(runner):
    result = agents(
        runner,
        "create",
        "ana@example.com",
        "--name",
        "Ana",
        input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert len(stored_agents()) == 1


@pytest.mark.parametrize("email", [AGENT_EMAIL, AGENT_EMAIL.upper(), f"  {AGENT_EMAIL}  "])
def test_create_with_existing_email_fails(runner, client, agent, email):
    result = create(runner, email=email, name="Impostor")

    assert result.exit_code == 1
    assert "exists already" in result.output
    assert [a.name for a in stored_agents()] == ["Tess"]
    assert token_for(client, AGENT_EMAIL, AGENT_PASSWORD).status_code == 200


@pytest.mark.parametrize("password", ["", "short", "1234567"])
def test_create_with_short_password_fails(runner, password):
    result = create(runner, password=password)

    assert result.exit_code == 1
    assert "at least 8 characters" in result.output
    assert stored_agents() == []


def test_create_with_eight_character_password_works(runner):
    assert create(runner, password="12345678").exit_code == 0


def test_create_with_bad_email_fails(runner):
    result = create(runner, email="not-an-email")

    assert result.exit_code == 1
    assert "not an email" in result.output
    assert stored_agents() == []


def test_create_requires_a_name(runner):
    result = agents(runner, "create", "ana@example.com", "--password", PASSWORD)

    assert result.exit_code == 2
    assert "--name" in result.output
    assert stored_agents() == []


# --- list ---------------------------------------------------------------------


def test_list_shows_every_agent_and_state(runner, agent):
    create(runner)
    agents(runner, "disable", "ana@example.com")

    result = agents(runner, "list")

    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert [line.split("\t")[1:] for line in lines] == [
        [AGENT_EMAIL, "Tess", "agent", "active"],
        ["ana@example.com", "Ana", "agent", "disabled"],
    ]
    assert all(PASSWORD not in line for line in lines)


def test_list_with_no_agents_prints_nothing(runner):
    result = agents(runner, "list")

    assert result.exit_code == 0 and result.output == ""


# --- disable and enable -------------------------------------------------------


def test_disabled_agent_can_neither_use_tokens_nor_log_in(runner, client, agent, agent_token):
    assert inbox_status(client, agent_token) == 200

    result = agents(runner, "disable", AGENT_EMAIL)

    assert result.exit_code == 0 and f"Disabled {AGENT_EMAIL}" in result.output
    assert inbox_status(client, agent_token) == 401
    assert token_for(client, AGENT_EMAIL, AGENT_PASSWORD).status_code == 401
    assert not can_log_in(client, AGENT_EMAIL, AGENT_PASSWORD)
    assert not socketio.test_client(client.application, auth={"token": agent_token}).is_connected()


def test_disabling_ends_an_open_inbox_session(runner, client, agent):
    client.post("/login", data={"email": AGENT_EMAIL, "password": AGENT_PASSWORD})
    assert client.get("/api/v1/conversations").status_code == 200

    agents(runner, "disable", AGENT_EMAIL.upper())

    assert client.get("/api/v1/conversations").status_code == 401


def test_disabling_closes_the_agents_open_sockets(runner, connect, agent_token):
    socket = connect(token=agent_token)
    assert socket.is_connected()

    agents(runner, "disable", AGENT_EMAIL)

    deadline = time.monotonic() + 3
    while socket.is_connected() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not socket.is_connected()


def test_enabled_agent_works_again(runner, client, agent, agent_token):
    agents(runner, "disable", AGENT_EMAIL)

    result = agents(runner, "enable", AGENT_EMAIL)

    assert result.exit_code == 0 and f"Enabled {AGENT_EMAIL}" in result.output
    assert can_log_in(client, AGENT_EMAIL, AGENT_PASSWORD)
    assert token_for(client, AGENT_EMAIL, AGENT_PASSWORD).status_code == 200
    assert [a.disabled for a in stored_agents()] == [False]


def test_disable_and_enable_are_repeatable(runner, agent):
    for command in ("disable", "disable", "enable", "enable"):
        assert agents(runner, command, AGENT_EMAIL).exit_code == 0

    assert [a.disabled for a in stored_agents()] == [False]


@pytest.mark.parametrize("command", ["disable", "enable"])
def test_disable_or_enable_unknown_email_fails(runner, agent, command):
    result = agents(runner, command, "nobody@example.com")

    assert result.exit_code == 1
    assert "no agent with email nobody@example.com" in result.output
    assert [a.disabled for a in stored_agents()] == [False]


# --- set-password -------------------------------------------------------------


def test_set_password_replaces_the_old_one(runner, client, agent):
    result = agents(runner, "set-password", AGENT_EMAIL, "--password", PASSWORD)

    assert result.exit_code == 0 and f"Password changed for {AGENT_EMAIL}" in result.output
    assert token_for(client, AGENT_EMAIL, PASSWORD).status_code == 200
    assert token_for(client, AGENT_EMAIL, AGENT_PASSWORD).status_code == 401
    assert can_log_in(client, AGENT_EMAIL, PASSWORD)
    assert not can_log_in(client, AGENT_EMAIL, AGENT_PASSWORD)


def test_set_password_prompts_twice(runner, client, agent):
    result = agents(runner, "set-password", AGENT_EMAIL, input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert token_for(client, AGENT_EMAIL, PASSWORD).status_code == 200


def test_set_short_password_fails_and_keeps_the_old_one(runner, client, agent):
    result = agents(runner, "set-password", AGENT_EMAIL, "--password", "short")

    assert result.exit_code == 1
    assert "at least 8 characters" in result.output
    assert token_for(client, AGENT_EMAIL, AGENT_PASSWORD).status_code == 200


def test_set_password_of_unknown_email_fails(runner, agent):
    result = agents(runner, "set-password", "nobody@example.com", "--password", PASSWORD)

    assert result.exit_code == 1
    assert "no agent with email nobody@example.com" in result.output
