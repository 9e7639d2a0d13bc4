"""Admins manage agents and the desk's settings; agents and visitors cannot.

Every admin endpoint is tried as an admin, a plain agent, a visitor and
nobody; bad input is refused with 400 and changes nothing.
"""

import re

import pytest
import sqlalchemy as sa

from app import db
from app.models import Agent, Setting
from app.services import tokens
from app.services.settings import KNOWN
from tests.conftest import events
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD
from tests.test_cli import can_log_in, token_for

PASSWORD = "a new long password"
BEN = "ben@example.com"

# Every desk setting at its default: each test below changes one of them.
DEFAULTS = {key: known.default for key, known in KNOWN.items()}


@pytest.fixture
def admin(agent):
    """Tess, the fixture's agent, as the desk's only admin."""
    agent.role = "admin"
    db.session.commit()
    return agent


@pytest.fixture
def admin_token(admin):
    return tokens.issue_token(admin)


@pytest.fixture
def ben(app):
    """A plain agent."""
    ben = Agent(email=BEN, name="Ben")
    ben.set_password(AGENT_PASSWORD)
    db.session.add(ben)
    db.session.commit()
    return ben


@pytest.fixture
def ben_token(ben):
    return tokens.issue_token(ben)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def stored_agents() -> dict[str, tuple]:
    db.session.rollback()
    agents = db.session.scalars(sa.select(Agent).order_by(Agent.id))
    return {a.email: (a.name, a.role, a.disabled, a.password_hash) for a in agents}


def stored_settings() -> dict[str, str]:
    db.session.rollback()
    return dict(db.session.execute(sa.select(Setting.key, Setting.value)).all())


# Every admin endpoint with a valid request: (method, path, body). {ben} is Ben's id.
ADMIN_ENDPOINTS = [
    ("GET", "/api/v1/admin/agents", None),
    (
        "POST",
        "/api/v1/admin/agents",
        {"email": "cy@example.com", "name": "Cy", "password": PASSWORD, "role": "admin"},
    ),
    ("PATCH", "/api/v1/admin/agents/{ben}", {"role": "admin"}),
    ("PATCH", "/api/v1/admin/agents/{ben}", {"disabled": True}),
    ("PATCH", "/api/v1/admin/agents/{ben}", {"name": "Benjamin"}),
    ("POST", "/api/v1/admin/agents/{ben}/password", {"password": PASSWORD}),
    ("PATCH", "/api/v1/settings", {"auto_assign": True}),
]
ENDPOINT_IDS = [f"{m} {p} {b}" for m, p, b in ADMIN_ENDPOINTS]


def call(client, endpoint, ben, headers=None):
    method, path, body = endpoint
    return client.open(path.format(ben=ben.id), method=method, json=body, headers=headers or {})


# --- who may --------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ADMIN_ENDPOINTS, ids=ENDPOINT_IDS)
def test_an_admin_may(client, admin_token, ben, endpoint):
    response = call(client, endpoint, ben, bearer(admin_token))

    assert response.status_code in (200, 201, 204), response.json


@pytest.mark.parametrize("endpoint", ADMIN_ENDPOINTS, ids=ENDPOINT_IDS)
def test_a_plain_agent_gets_403_and_changes_nothing(client, admin, ben, ben_token, endpoint):
    before = stored_agents(), stored_settings()

    response = call(client, endpoint, ben, bearer(ben_token))

    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert (stored_agents(), stored_settings()) == before


@pytest.mark.parametrize("endpoint", ADMIN_ENDPOINTS, ids=ENDPOINT_IDS)
def test_a_plain_agent_logged_in_gets_403(client, admin, ben, endpoint):
    client.post("/login", data={"email": BEN, "password": AGENT_PASSWORD})

    assert call(client, endpoint, ben).status_code == 403


@pytest.mark.parametrize("endpoint", ADMIN_ENDPOINTS, ids=ENDPOINT_IDS)
def test_a_visitor_gets_403(client, admin, ben, new_visitor, endpoint):
    _, visitor_token = new_visitor()
    before = stored_agents(), stored_settings()

    response = call(client, endpoint, ben, bearer(visitor_token))

    assert response.status_code == 403
    assert (stored_agents(), stored_settings()) == before


@pytest.mark.parametrize("endpoint", ADMIN_ENDPOINTS, ids=ENDPOINT_IDS)
def test_nobody_gets_401(client, admin, ben, endpoint):
    assert call(client, endpoint, ben).status_code == 401
    assert call(client, endpoint, ben, bearer("not-a-token")).status_code == 401


def test_an_admin_demoted_loses_access_at_once(client, admin, admin_token, ben):
    db.session.add(Agent(email="cy@example.com", name="Cy", password_hash="x", role="admin"))
    db.session.commit()
    patch = client.patch(
        f"/api/v1/admin/agents/{admin.id}", json={"role": "agent"}, headers=bearer(admin_token)
    )
    assert patch.status_code == 200

    assert client.get("/api/v1/admin/agents", headers=bearer(admin_token)).status_code == 403


def test_settings_are_read_by_any_agent_but_no_visitor(client, ben_token, new_visitor):
    _, visitor_token = new_visitor()

    assert client.get("/api/v1/settings", headers=bearer(ben_token)).json == {
        "settings": {**DEFAULTS, "auto_assign": False}
    }
    assert client.get("/api/v1/settings", headers=bearer(visitor_token)).status_code == 403
    assert client.get("/api/v1/settings").status_code == 401


# --- agents ---------------------------------------------------------------------


def test_admin_lists_every_agent_with_role_status_and_last_login(client, admin, ben):
    client.post("/login", data={"email": AGENT_EMAIL, "password": AGENT_PASSWORD})
    ben.disabled = True
    db.session.commit()

    listed = client.get("/api/v1/admin/agents").json["agents"]

    assert [(a["email"], a["name"], a["role"], a["disabled"]) for a in listed] == [
        (AGENT_EMAIL, "Tess", "admin", False),
        (BEN, "Ben", "agent", True),
    ]
    assert listed[0]["last_login_at"] is not None and listed[1]["last_login_at"] is None
    assert all(a["created_at"] for a in listed)
    assert all("password" not in key for a in listed for key in a)


def test_admin_adds_an_agent_who_can_then_log_in(client, admin_token):
    response = client.post(
        "/api/v1/admin/agents",
        json={"email": " Cy@Example.com ", "name": " Cy ", "password": PASSWORD},
        headers=bearer(admin_token),
    )

    assert response.status_code == 201
    agent = response.json["agent"]
    assert (agent["email"], agent["name"], agent["role"], agent["disabled"]) == (
        "cy@example.com",
        "Cy",
        "agent",
        False,
    )
    assert can_log_in(client, "cy@example.com", PASSWORD)


def test_adding_an_email_that_exists_is_a_conflict(client, admin_token, ben):
    before = stored_agents()
    response = client.post(
        "/api/v1/admin/agents",
        json={"email": BEN.upper(), "name": "Other Ben", "password": PASSWORD},
        headers=bearer(admin_token),
    )

    assert response.status_code == 409
    assert stored_agents() == before


NEW_AGENT = {"email": "cy@example.com", "name": "Cy", "password": PASSWORD}


@pytest.mark.parametrize(
    "body",
    [
        {},
        {**NEW_AGENT, "email": "not an email"},
        {**NEW_AGENT, "email": None},
        {**NEW_AGENT, "email": "cy@example.com\x00"},
        {**NEW_AGENT, "email": "c" * 250 + "@x.io"},
        {**NEW_AGENT, "name": "   "},
        {**NEW_AGENT, "name": "n" * 65},
        {**NEW_AGENT, "name": 7},
        {**NEW_AGENT, "password": "short"},
        {**NEW_AGENT, "password": "p" * 257},
        {**NEW_AGENT, "password": ["a", "list"]},
        {**NEW_AGENT, "role": "owner"},
        {**NEW_AGENT, "role": "Admin"},
        {**NEW_AGENT, "admin": True},
        {"email": "cy@example.com", "name": "Cy"},
    ],
)
def test_adding_an_agent_with_bad_input_is_refused(client, admin_token, body):
    before = stored_agents()

    response = client.post("/api/v1/admin/agents", json=body, headers=bearer(admin_token))

    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid"
    assert stored_agents() == before


@pytest.mark.parametrize(
    "data, content_type",
    [
        ("", "application/json"),
        ("[1, 2]", "application/json"),
        ("{not json", "application/json"),
        ('{"email": "cy@example.com"}', "text/plain"),
        ("email=cy@example.com&name=Cy&password=long+enough", "application/x-www-form-urlencoded"),
        ("[" * 100_000, "application/json"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(client, admin_token, data, content_type):
    for path in ("/api/v1/admin/agents", "/api/v1/settings"):
        method = "POST" if "agents" in path else "PATCH"
        response = client.open(
            path,
            method=method,
            data=data,
            content_type=content_type,
            headers=bearer(admin_token),
        )
        assert response.status_code in (400, 413), (path, response.status_code)
        assert "error" in response.json


def test_admin_renames_and_changes_roles(client, admin_token, ben):
    response = client.patch(
        f"/api/v1/admin/agents/{ben.id}",
        json={"name": "Benjamin", "role": "admin"},
        headers=bearer(admin_token),
    )

    assert response.status_code == 200
    assert (response.json["agent"]["name"], response.json["agent"]["role"]) == ("Benjamin", "admin")
    assert stored_agents()[BEN][:3] == ("Benjamin", "admin", False)


def test_a_disabled_agent_is_locked_out_and_an_enabled_one_gets_back(client, admin_token, ben):
    ben_token = tokens.issue_token(ben)

    disabled = client.patch(
        f"/api/v1/admin/agents/{ben.id}", json={"disabled": True}, headers=bearer(admin_token)
    )

    assert disabled.status_code == 200 and disabled.json["agent"]["disabled"] is True
    assert client.get("/api/v1/conversations", headers=bearer(ben_token)).status_code == 401
    assert not can_log_in(client, BEN, AGENT_PASSWORD)

    client.patch(
        f"/api/v1/admin/agents/{ben.id}", json={"disabled": False}, headers=bearer(admin_token)
    )
    assert can_log_in(client, BEN, AGENT_PASSWORD)
    assert client.get("/api/v1/conversations", headers=bearer(ben_token)).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"role": "owner"},
        {"role": None},
        {"disabled": "yes"},
        {"disabled": 1},
        {"name": ""},
        {"name": "x" * 65},
        {"email": "new@example.com"},
        {"name": "Benjamin", "colour": "blue"},
    ],
)
def test_changing_an_agent_with_bad_input_is_refused(client, admin_token, ben, body):
    before = stored_agents()

    response = client.patch(
        f"/api/v1/admin/agents/{ben.id}", json=body, headers=bearer(admin_token)
    )

    assert response.status_code == 400
    assert stored_agents() == before


@pytest.mark.parametrize(
    "method, suffix, body",
    [("PATCH", "", {"name": "X"}), ("POST", "/password", {"password": PASSWORD})],
)
@pytest.mark.parametrize("agent_id", ["999", "0", "99999999999", "abc", "-1"])
def test_unknown_agents_are_404(client, admin_token, method, suffix, body, agent_id):
    response = client.open(
        f"/api/v1/admin/agents/{agent_id}{suffix}",
        method=method,
        json=body,
        headers=bearer(admin_token),
    )

    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


# --- the last admin ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [{"role": "agent"}, {"disabled": True}, {"name": "Tessa", "role": "agent"}]
)
def test_the_last_enabled_admin_can_be_neither_demoted_nor_disabled(
    client, admin, admin_token, ben, body
):
    before = stored_agents()

    response = client.patch(
        f"/api/v1/admin/agents/{admin.id}", json=body, headers=bearer(admin_token)
    )

    assert response.status_code == 409
    assert "last enabled admin" in response.json["error"]["message"]
    assert stored_agents() == before  # the name did not change either
    assert client.get("/api/v1/admin/agents", headers=bearer(admin_token)).status_code == 200


def test_with_two_admins_one_may_step_down(client, admin, admin_token, ben):
    promoted = client.patch(
        f"/api/v1/admin/agents/{ben.id}", json={"role": "admin"}, headers=bearer(admin_token)
    )
    assert promoted.status_code == 200

    stepped_down = client.patch(
        f"/api/v1/admin/agents/{admin.id}", json={"role": "agent"}, headers=bearer(admin_token)
    )

    assert stepped_down.status_code == 200
    assert (stored_agents()[AGENT_EMAIL][1], stored_agents()[BEN][1]) == ("agent", "admin")


# --- sockets remember who they are: changes close them ---------------------------------


@pytest.mark.parametrize(
    "body", [{"role": "admin"}, {"disabled": True}, {"name": "Benjamin"}], ids=str
)
def test_a_change_of_role_name_or_disabling_closes_the_agents_sockets(
    client, connect, admin_token, ben, ben_token, body
):
    ben_socket = connect(token=ben_token)
    admin_socket = connect(token=admin_token)

    response = client.patch(
        f"/api/v1/admin/agents/{ben.id}", json=body, headers=bearer(admin_token)
    )

    assert response.status_code == 200
    assert not ben_socket.is_connected()
    assert admin_socket.is_connected()


def test_enabling_or_a_refused_change_leaves_sockets_open(
    client, connect, admin, admin_token, ben, ben_token
):
    ben_socket, admin_socket = connect(token=ben_token), connect(token=admin_token)

    client.patch(
        f"/api/v1/admin/agents/{ben.id}", json={"disabled": False}, headers=bearer(admin_token)
    )
    client.patch(
        f"/api/v1/admin/agents/{admin.id}", json={"role": "agent"}, headers=bearer(admin_token)
    )

    assert ben_socket.is_connected() and admin_socket.is_connected()


# --- password reset ----------------------------------------------------------------


def test_reset_password_ends_logins_tokens_and_sockets(client, connect, admin_token, ben):
    ben_token = tokens.issue_token(ben)
    ben_socket = connect(token=ben_token)
    ben_browser = client.application.test_client()
    ben_browser.post("/login", data={"email": BEN, "password": AGENT_PASSWORD})

    response = client.post(
        f"/api/v1/admin/agents/{ben.id}/password",
        json={"password": PASSWORD},
        headers=bearer(admin_token),
    )

    assert response.status_code == 204
    assert not ben_socket.is_connected()
    assert ben_browser.get("/api/v1/conversations").status_code == 401
    assert client.get("/api/v1/conversations", headers=bearer(ben_token)).status_code == 401
    assert token_for(client, BEN, AGENT_PASSWORD).status_code == 401
    assert token_for(client, BEN, PASSWORD).status_code == 200


@pytest.mark.parametrize(
    "body", [{}, {"password": "short"}, {"password": 12345678}, {"password": "p" * 257}]
)
def test_reset_password_with_bad_input_keeps_the_old_one(client, admin_token, ben, body):
    response = client.post(
        f"/api/v1/admin/agents/{ben.id}/password", json=body, headers=bearer(admin_token)
    )

    assert response.status_code == 400
    assert token_for(client, BEN, AGENT_PASSWORD).status_code == 200


# --- settings -----------------------------------------------------------------------


def test_admin_changes_a_setting_and_every_agent_socket_hears_it(
    client, connect, admin_token, ben_token, new_visitor
):
    _, visitor_token = new_visitor()
    ben_socket, visitor_socket = connect(token=ben_token), connect(visitor_token=visitor_token)

    response = client.patch(
        "/api/v1/settings", json={"auto_assign": True}, headers=bearer(admin_token)
    )

    assert response.status_code == 200
    assert response.json == {"settings": {**DEFAULTS, "auto_assign": True}}
    assert events(ben_socket, "settings") == [{"settings": {**DEFAULTS, "auto_assign": True}}]
    assert events(visitor_socket, "settings") == []
    assert client.get("/api/v1/settings", headers=bearer(ben_token)).json == response.json


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"auto_asign": True},
        {"auto_assign": 1},
        {"auto_assign": "true"},
        {"auto_assign": None},
        {"auto_assign": [True]},
        {"auto_assign": True, "unknown": 1},
        {"x" * 10_000: True},
    ],
)
def test_bad_settings_are_refused_and_nothing_is_stored(client, admin_token, ben_token, body):
    response = client.patch("/api/v1/settings", json=body, headers=bearer(admin_token))

    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid"
    assert stored_settings() == {}
    assert client.get("/api/v1/settings", headers=bearer(ben_token)).json == {
        "settings": {**DEFAULTS, "auto_assign": False}
    }


# --- the session cookie: same origin, and the page's CSRF token -------------------------------


@pytest.fixture
def csrf_client(app_factory):
    """A browser of an admin logged in on an app that checks CSRF tokens;
    returns (client, the admin page's token)."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        admin = Agent(email=AGENT_EMAIL, name="Tess", role="admin")
        admin.set_password(AGENT_PASSWORD)
        db.session.add(admin)
        db.session.commit()
        client = app.test_client()
        login_page = client.get("/login").get_data(as_text=True)
        login_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)[1]
        client.post(
            "/login",
            data={"email": AGENT_EMAIL, "password": AGENT_PASSWORD, "csrf_token": login_token},
        )
        page = client.get("/admin/agents").get_data(as_text=True)
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)[1]
        yield client, token
        db.session.remove()
        db.drop_all()


def test_a_cookie_change_needs_the_pages_csrf_token(csrf_client):
    client, token = csrf_client

    without = client.patch("/api/v1/settings", json={"auto_assign": True})
    wrong = client.patch(
        "/api/v1/settings", json={"auto_assign": True}, headers={"X-CSRFToken": "forged"}
    )
    right = client.patch(
        "/api/v1/settings", json={"auto_assign": True}, headers={"X-CSRFToken": token}
    )

    assert (without.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
    assert "CSRF" in without.json["error"]["message"]
    assert client.get("/api/v1/admin/agents").status_code == 200  # reading needs no token


def test_a_cookie_change_from_another_origin_is_refused(csrf_client):
    client, token = csrf_client

    response = client.post(
        "/api/v1/admin/agents",
        json={"email": "cy@example.com", "name": "Cy", "password": PASSWORD},
        headers={"X-CSRFToken": token, "Origin": "https://shop.example.com"},
    )

    assert response.status_code == 401


# --- the pages ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin", "/admin/agents", "/admin/settings"])
def test_admin_pages_open_for_admins_only(client, admin, ben, path):
    assert client.get(path).status_code == 302  # to the login form

    client.post("/login", data={"email": BEN, "password": AGENT_PASSWORD})
    refused = client.get(path)
    assert refused.status_code == 403
    assert refused.mimetype == "text/html"
    assert "This page is for admins" in refused.get_data(as_text=True)
    client.post("/logout")

    client.post("/login", data={"email": AGENT_EMAIL, "password": AGENT_PASSWORD})
    assert client.get(path, follow_redirects=True).status_code == 200


def test_only_an_admins_inbox_links_to_the_admin_pages(client, admin, ben):
    client.post("/login", data={"email": AGENT_EMAIL, "password": AGENT_PASSWORD})
    assert 'id="admin-link"' in client.get("/agent").get_data(as_text=True)
    client.post("/logout")

    client.post("/login", data={"email": BEN, "password": AGENT_PASSWORD})
    assert 'id="admin-link"' not in client.get("/agent").get_data(as_text=True)


def test_requests_that_hash_a_password_are_rate_limited(app, client, admin_token, ben):
    app.config["CHAT_ADMIN_PASSWORD_RATE"] = "2 per minute"
    reset = f"/api/v1/admin/agents/{ben.id}/password"

    answers = [
        client.post(reset, json={"password": PASSWORD}, headers=bearer(admin_token)).status_code,
        client.post(
            "/api/v1/admin/agents",
            json={"email": "cy@example.com", "name": "Cy", "password": PASSWORD},
            headers=bearer(admin_token),
        ).status_code,
        client.post(reset, json={"password": "yet another one"}, headers=bearer(admin_token)),
    ]

    assert answers[:2] == [204, 201]
    assert answers[2].status_code == 429
    assert answers[2].json["error"]["code"] == "rate_limited"
    assert token_for(client, BEN, PASSWORD).status_code == 200


def test_every_inbox_hears_of_an_added_or_renamed_agent(client, connect, admin_token, ben):
    admin_socket = connect(token=admin_token)
    admin_socket.get_received()

    added = client.post(
        "/api/v1/admin/agents",
        json={"email": "ria@example.com", "name": "Ria", "password": "a long password"},
        headers=bearer(admin_token),
    )
    client.patch(
        f"/api/v1/admin/agents/{ben.id}", json={"name": "Benjamin"}, headers=bearer(admin_token)
    )

    assert added.status_code == 201
    rosters = [e["args"][0]["agents"] for e in admin_socket.get_received() if e["name"] == "agents"]
    assert "Ria" in [a["name"] for a in rosters[0]]
    assert "Benjamin" in [a["name"] for a in rosters[-1]]
