"""Agents' credentials against the real server (eventlet and gevent).

A site listed in CHAT_ALLOWED_ORIGINS that carries the agent's cookie is
refused over both transports, and password guessing does not stall the chat:
the hash is computed off the event loop.
"""

import re
import statistics
import threading
import time

import pytest
import requests
import socketio

from tests.harness.api import ChatApi
from tests.harness.clients import WAIT
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD
from tests.harness.server import ServerProcess
from tests.live.conftest import SERVER_ENV

pytestmark = pytest.mark.live

SHOP = "https://shop.example"
# Limits out of the way: the guessing test needs every guess to be hashed.
SERVER = {
    **SERVER_ENV,
    "CHAT_ALLOWED_ORIGINS": SHOP,
    "CHAT_LOGIN_RATE": "100000 per minute",
    "CHAT_LOGIN_ACCOUNT_RATE": "100000 per minute",
}
GUESSERS = 6
ACK_P95_LIMIT = 0.3  # seconds


@pytest.fixture(scope="module", params=["eventlet", "gevent"])
def auth_server(request, tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp(f"auth-{request.param}"), request.param, SERVER)
    server.prepare().start()
    yield server
    server.stop()
    server.assert_clean_log()


def logged_in_session(server: ServerProcess) -> requests.Session:
    """A browser-like session logged in through the form (with its CSRF token)."""
    session = requests.Session()
    page = session.get(f"{server.url}/login", timeout=WAIT).text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = session.post(
        f"{server.url}/login",
        data={"csrf_token": csrf, "email": AGENT_EMAIL, "password": AGENT_PASSWORD},
        allow_redirects=False,
        timeout=WAIT,
    )
    assert response.status_code == 302, response.text
    return session


def try_connect(server, transport, session=None, origin=None, auth=None) -> bool:
    # websocket-client sends an Origin header of its own unless told which.
    client = socketio.Client(
        reconnection=False, http_session=session, websocket_extra_options={"origin": origin}
    )
    headers = {"Origin": origin} if origin and transport == "polling" else {}
    try:
        client.connect(
            server.url, headers=headers, auth=auth, transports=[transport], wait_timeout=WAIT
        )
    except socketio.exceptions.ConnectionError:
        return False
    finally:
        if client.connected:
            client.disconnect()
        client.shutdown()
    return True


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_agent_cookie_from_a_listed_site_is_refused(auth_server, transport):
    session = logged_in_session(auth_server)
    with ChatApi(auth_server.url) as api:
        token = api.agent_token

    assert not try_connect(auth_server, transport, session, origin=SHOP)
    assert try_connect(auth_server, transport, session, origin=auth_server.url)
    assert try_connect(auth_server, transport, origin=SHOP, auth={"token": token})
    session.close()


def test_polling_handshake_from_a_listed_site_is_not_credentialed(auth_server):
    response = requests.get(
        f"{auth_server.url}/socket.io/?EIO=4&transport=polling",
        headers={"Origin": SHOP},
        timeout=WAIT,
    )

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SHOP
    assert "Access-Control-Allow-Credentials" not in response.headers


def guess_passwords(url: str, stop: threading.Event, answers: list) -> None:
    with requests.Session() as session:
        n = 0
        while not stop.is_set():
            email = AGENT_EMAIL if n % 2 else f"nobody{n}@example.com"
            response = session.post(f"{url}/api/v1/tokens", auth=(email, f"guess {n}"), timeout=30)
            answers.append(response.status_code)
            n += 1


def test_visitor_acks_stay_fast_while_passwords_are_guessed(auth_server):
    started = requests.post(f"{auth_server.url}/api/v1/conversations", timeout=WAIT).json()
    visitor = socketio.Client(reconnection=False)
    visitor.connect(
        auth_server.url,
        auth={"visitor_token": started["visitor_token"]},
        transports=["websocket"],
        wait_timeout=WAIT,
    )
    stop, answers = threading.Event(), []
    guessers = [
        threading.Thread(target=guess_passwords, args=(auth_server.url, stop, answers))
        for _ in range(GUESSERS)
    ]
    for guesser in guessers:
        guesser.start()
    try:
        time.sleep(1.0)  # every guesser hashing
        guessed_before = len(answers)
        latencies = []
        for n in range(30):
            sent = time.monotonic()
            ack = visitor.call("send_message", {"client_id": f"m{n}", "body": "hi"}, timeout=10)
            latencies.append(time.monotonic() - sent)
            assert ack["ok"], ack
            time.sleep(0.05)
        guessed_during = len(answers) - guessed_before
    finally:
        stop.set()
        for guesser in guessers:
            guesser.join()
        visitor.disconnect()
        visitor.shutdown()

    p95 = statistics.quantiles(latencies, n=20)[-1]
    assert guessed_during >= GUESSERS, "the guessers did not keep the server busy"
    assert set(answers) == {401}
    assert p95 < ACK_P95_LIMIT, f"p95 {p95 * 1000:.0f} ms, latencies {latencies}"
