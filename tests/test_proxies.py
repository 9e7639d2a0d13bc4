"""Behind a TLS-terminating reverse proxy: which forwarded headers the app believes.

With ``CHAT_TRUSTED_PROXIES=N`` the client's address, scheme and host come
from the ``X-Forwarded-*`` headers of the last N proxies; with 0 (the default)
those headers are ignored, so a client cannot pick its own address. The whole
deployment (nginx, two processes, a browser) is tried in tests/deploy/.
"""

import pytest

from tests.harness.credentials import AGENT_EMAIL

BEHIND_ONE_PROXY = pytest.mark.parametrize("app", [{"CHAT_TRUSTED_PROXIES": 1}], indirect=True)
# What nginx adds for a browser at https://chat.example.com (docs/deployment.md).
FROM_THE_PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "chat.example.com"}


def polling_handshake(client, origin: str, headers: dict):
    """The first request of a Socket.IO client that starts with long-polling."""
    return client.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": origin, **headers})


def start_conversation(client, client_address: str) -> int:
    response = client.post("/api/v1/conversations", headers={"X-Forwarded-For": client_address})
    return response.status_code


def log_in(client, client_address: str, password: str = "wrong password") -> int:
    response = client.post(
        "/login",
        data={"email": AGENT_EMAIL, "password": password},
        headers={"X-Forwarded-For": client_address},
    )
    return response.status_code


def connect_sources(response) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    for directive in policy.split(";"):
        name, *sources = directive.split()
        if name == "connect-src":
            return sources
    raise AssertionError(f"no connect-src in {policy!r}")


# Item 1: the server's own https:// origin, seen through the proxy.


@BEHIND_ONE_PROXY
def test_socketio_accepts_its_own_https_origin_through_a_trusted_proxy(client):
    response = polling_handshake(client, "https://chat.example.com", FROM_THE_PROXY)

    assert response.status_code == 200, response.text
    assert response.text.startswith('0{"sid":')


@BEHIND_ONE_PROXY
def test_socketio_still_refuses_other_origins_through_a_trusted_proxy(client):
    response = polling_handshake(client, "https://evil.example", FROM_THE_PROXY)

    assert response.status_code == 400
    assert "Not an accepted origin" in response.text


def test_forwarded_scheme_and_host_are_ignored_without_trusted_proxies(client):
    response = polling_handshake(client, "https://chat.example.com", FROM_THE_PROXY)

    assert response.status_code == 400
    assert "Not an accepted origin" in response.text


@BEHIND_ONE_PROXY
def test_api_answers_its_own_https_origin_through_a_trusted_proxy(client):
    response = client.get(
        "/api/v1/conversations", headers={"Origin": "https://chat.example.com", **FROM_THE_PROXY}
    )

    assert response.headers["Access-Control-Allow-Origin"] == "https://chat.example.com"


# Item 2: the per-address limits key on the client's real address.


@BEHIND_ONE_PROXY
def test_conversation_limit_gives_each_forwarded_client_address_its_own_budget(app, client):
    app.config["CHAT_CONVERSATION_RATE"] = "2 per minute"

    first = [start_conversation(client, "198.51.100.7") for _ in range(3)]
    second = [start_conversation(client, "203.0.113.9") for _ in range(3)]

    assert first == [201, 201, 429]
    assert second == [201, 201, 429]


@BEHIND_ONE_PROXY
def test_login_limit_gives_each_forwarded_client_address_its_own_budget(app, client, agent):
    app.config["CHAT_LOGIN_RATE"] = "2 per minute"

    first = [log_in(client, "198.51.100.7") for _ in range(3)]
    second = [log_in(client, "203.0.113.9") for _ in range(2)]

    assert first == [401, 401, 429]
    assert second == [401, 401]


@BEHIND_ONE_PROXY
def test_a_client_cannot_choose_its_address_through_a_trusted_proxy(app, client):
    # nginx appends the address it saw to what the client sent; only that is believed.
    app.config["CHAT_CONVERSATION_RATE"] = "2 per minute"

    codes = [start_conversation(client, f"10.0.0.{n}, 198.51.100.7") for n in range(3)]

    assert codes == [201, 201, 429]


def test_a_spoofed_forwarded_address_opens_no_new_budget_without_trusted_proxies(app, client):
    app.config["CHAT_CONVERSATION_RATE"] = "2 per minute"

    codes = [start_conversation(client, f"198.51.100.{n}") for n in range(3)]

    assert codes == [201, 201, 429]


def test_a_spoofed_forwarded_address_opens_no_new_login_budget_without_trusted_proxies(
    app, client, agent
):
    app.config["CHAT_LOGIN_RATE"] = "2 per minute"

    codes = [log_in(client, f"198.51.100.{n}") for n in range(3)]

    assert codes == [401, 401, 429]


def test_negative_count_of_trusted_proxies_is_refused_at_start(app_factory):
    with pytest.raises(ValueError, match="CHAT_TRUSTED_PROXIES"):
        app_factory(CHAT_TRUSTED_PROXIES=-1)


# Item 3: HSTS with CHAT_HTTPS.


@pytest.mark.parametrize("app", [{"CHAT_HTTPS": True}], indirect=True)
def test_https_deployment_tells_browsers_to_come_back_over_https_only(client):
    for path in ("/", "/login", "/api/v1/conversations", "/widget.js"):
        with client.get(path) as response:
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000", path


def test_plain_http_deployment_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


# Item 14: pages may connect to their own origin only.


def test_pages_may_connect_only_to_their_own_origin(client):
    assert connect_sources(client.get("/")) == ["'self'", "ws://localhost"]
    assert connect_sources(client.get("/login")) == ["'self'", "ws://localhost"]


@BEHIND_ONE_PROXY
def test_pages_behind_https_may_connect_only_to_their_own_wss_origin(client):
    headers = {**FROM_THE_PROXY, "X-Forwarded-Host": "chat.example.com:8443"}

    response = client.get("/", headers=headers)

    assert connect_sources(response) == ["'self'", "wss://chat.example.com:8443"]


def test_a_malformed_host_adds_nothing_to_the_connect_sources(client):
    response = client.get("/", headers={"Host": "evil.example; script-src *"})

    assert connect_sources(response) == ["'self'"]
