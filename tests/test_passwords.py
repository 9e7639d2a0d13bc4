"""Password guessing, through the login form and POST /api/v1/tokens.

Both are limited per client address and per account (failed attempts, from
any address, through either door), and an unknown email costs the same
password check as a known one, so timing does not tell which accounts exist.
"""

import base64
import hashlib

import pytest
from werkzeug.security import generate_password_hash

from app import db, models
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD

WRONG = "wrong password"


def basic(email, password):
    secret = base64.b64encode(f"{email}:{password}".encode()).decode()
    return {"Authorization": f"Basic {secret}"}


def token_request(client, email=AGENT_EMAIL, password=AGENT_PASSWORD, address="10.0.0.1"):
    return client.post(
        "/api/v1/tokens",
        headers=basic(email, password),
        environ_base={"REMOTE_ADDR": address},
    )


def login_form(client, email=AGENT_EMAIL, password=AGENT_PASSWORD, address="10.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def per_address(app):
    app.config["CHAT_LOGIN_RATE"] = "3 per minute"


@pytest.fixture
def per_account(app):
    app.config["CHAT_LOGIN_ACCOUNT_RATE"] = "3 per minute"


# --- per address ------------------------------------------------------------------


def test_token_requests_are_rate_limited_per_address(client, agent, per_address):
    answers = [token_request(client, password=WRONG).status_code for _ in range(3)]
    blocked = token_request(client)

    assert answers == [401, 401, 401]
    assert blocked.status_code == 429
    assert blocked.json["error"]["code"] == "rate_limited"
    assert token_request(client, address="10.0.0.2").status_code == 200


def test_token_requests_from_one_address_for_many_accounts_are_limited(client, agent, per_address):
    answers = [
        token_request(client, email=f"guess{n}@example.com", password=WRONG).status_code
        for n in range(4)
    ]

    assert answers == [401, 401, 401, 429]


# --- per account ------------------------------------------------------------------


def guessed_from_three_addresses_then_blocked(attempt, client, network: str):
    """Three wrong passwords from three addresses, then the right one from a
    fourth: refused, the account's allowance is spent. Returns that answer."""
    answers = [
        attempt(client, password=WRONG, address=f"{network}.{n}").status_code for n in range(3)
    ]
    blocked = attempt(client, address=f"{network}.99")

    assert answers == [401, 401, 401]
    assert blocked.status_code == 429
    return blocked


def test_token_requests_are_rate_limited_per_account_from_any_address(client, agent, per_account):
    blocked = guessed_from_three_addresses_then_blocked(token_request, client, "10.0.1")

    assert blocked.json["error"]["code"] == "rate_limited"


def test_login_form_is_rate_limited_per_account_from_any_address(client, agent, per_account):
    guessed_from_three_addresses_then_blocked(login_form, client, "10.0.2")
    assert client.get("/agent").status_code == 302  # still logged out


def test_form_and_api_guesses_count_together_per_account(client, agent, per_account):
    login_form(client, password=WRONG, address="10.0.3.1")
    token_request(client, password=WRONG, address="10.0.3.2")
    login_form(client, password=WRONG, address="10.0.3.3")

    assert token_request(client, address="10.0.3.4").status_code == 429
    assert login_form(client, address="10.0.3.5").status_code == 429


def test_account_limit_leaves_other_accounts_alone(client, agent, per_account):
    for n in range(3):
        token_request(client, email="ana@example.com", password=WRONG, address=f"10.0.4.{n}")

    assert token_request(client, email="ana@example.com", address="10.0.4.9").status_code == 429
    assert token_request(client, address="10.0.4.9").status_code == 200


def test_successful_logins_do_not_use_up_the_account_limit(app, agent, per_account):
    tokens = [token_request(app.test_client(), address=f"10.0.5.{n}") for n in range(5)]
    logins = [login_form(app.test_client(), address=f"10.0.6.{n}") for n in range(2)]

    assert [r.status_code for r in tokens] == [200] * 5
    assert [r.status_code for r in logins] == [302] * 2


# --- unknown emails cost the same ---------------------------------------------------


@pytest.fixture
def real_hashing(app, agent, monkeypatch):
    """The agent's password under the real (scrypt) hash, and a count of
    scrypt computations."""
    agent.password_hash = generate_password_hash(AGENT_PASSWORD)
    db.session.commit()
    monkeypatch.setattr(models, "generate_password_hash", generate_password_hash)
    calls = []
    scrypt = hashlib.scrypt

    def counting_scrypt(*args, **kwargs):
        calls.append(1)
        return scrypt(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting_scrypt)
    return calls


@pytest.mark.parametrize("ask", [token_request, login_form])
def test_unknown_email_costs_one_password_check_like_a_known_one(client, real_hashing, ask):
    ask(client, email="nobody@example.com", password=WRONG)  # any one-off set-up cost
    real_hashing.clear()

    unknown = ask(client, email="nobody@example.com", password=WRONG, address="10.0.7.1")
    unknown_checks = len(real_hashing)
    real_hashing.clear()
    known = ask(client, password=WRONG, address="10.0.7.2")

    assert unknown.status_code == known.status_code == 401
    assert unknown_checks == len(real_hashing) == 1


def test_disabled_agent_costs_one_password_check_and_is_refused(client, agent, real_hashing):
    agent.disabled = True
    db.session.commit()

    response = token_request(client)

    assert response.status_code == 401
    assert len(real_hashing) == 1
