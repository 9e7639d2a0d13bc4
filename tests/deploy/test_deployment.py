"""The deployment of docs/deployment.md, used as people use it.

nginx terminates TLS in front of two processes (see conftest.py for the
whole set-up, and for how the visitor and the agent land on different
processes). Plain HTTPS requests check what the proxy must pass on; Chromium
checks that a visitor and an agent can chat over each transport.
"""

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.pages import Inbox, Widget
from tests.deploy.conftest import DEPLOY_TESTS

pytestmark = DEPLOY_TESTS

HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


def connect_sources(headers: dict) -> list[str]:
    for directive in headers["Content-Security-Policy"].split(";"):
        name, *sources = directive.split()
        if name == "connect-src":
            return sources
    raise AssertionError("no connect-src")


def test_socketio_accepts_the_sites_own_https_origin_through_nginx(deployed):
    status, _, body = deployed.request(
        deployed.url, "GET", HANDSHAKE, headers={"Origin": deployed.url}
    )

    assert status == 200, body
    assert body.startswith('0{"sid":')


def test_socketio_refuses_other_origins_through_nginx(deployed):
    for origin in ("https://evil.example", deployed.url.replace("https:", "http:")):
        status, _, body = deployed.request(
            deployed.url, "GET", HANDSHAKE, headers={"Origin": origin}
        )

        assert status == 400, (origin, body)


def test_pages_through_nginx_carry_hsts_and_connect_only_to_their_own_origin(deployed):
    websocket_origin = deployed.url.replace("https:", "wss:")
    for path in ("/", "/login"):
        status, headers, _ = deployed.request(deployed.url, "GET", path)

        assert status == 200
        assert headers["Strict-Transport-Security"] == "max-age=31536000"
        assert connect_sources(headers) == ["'self'", websocket_origin]
    assert "Secure" in headers["Set-Cookie"]  # the login form's session (CSRF token)


def test_the_conversation_limit_counts_each_real_client_address(deployed):
    # Clients at 127.0.0.2 and 127.0.0.3: nginx passes each address in
    # X-Forwarded-For, and the processes count them in Redis. The browsers
    # of the other tests come from 127.0.0.1.
    def start(source, url=deployed.url, headers=None) -> int:
        status, _, _ = deployed.request(
            url, "POST", "/api/v1/conversations", headers=headers, source=source
        )
        return status

    budget = [start("127.0.0.2") for _ in range(20)]  # CHAT_CONVERSATION_RATE: 20 a minute
    assert set(budget) == {201}
    assert start("127.0.0.2") == 429
    # A client naming another address in X-Forwarded-For is still itself ...
    assert start("127.0.0.2", headers={"X-Forwarded-For": "198.51.100.23"}) == 429
    # ... on the other process too: the count lives in Redis.
    other = next(p for p in deployed.processes if p is not deployed.process_for(deployed.url))
    assert start("127.0.0.2", url=deployed.nginx.pinned_url(other.port)) == 429
    # Another client address has a budget of its own.
    assert start("127.0.0.3") == 201


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_visitor_and_agent_on_different_processes_chat_over_https(deployed, new_context, transport):
    """The visitor comes through the documented server (``ip_hash``), the agent
    through the pinned port of the other process (see conftest.py): each
    message crosses from one process to the other through Redis."""
    query = "?transport=polling" if transport == "polling" else ""
    visitor_process = deployed.process_for(deployed.url)
    agent_process = next(p for p in deployed.processes if p is not visitor_process)
    agent_url = deployed.nginx.pinned_url(agent_process.port)
    log_offset = deployed.nginx.log_size()

    agent_context = new_context(ignore_https_errors=True)
    agent_page = agent_context.new_page()
    log_in(agent_page, agent_url, next_path=f"/agent{query}")
    inbox = Inbox(agent_page).ready()
    visitor_context = new_context(ignore_https_errors=True)
    visitor_page = visitor_context.new_page()
    visitor_page.goto(f"{deployed.url}/{query}")
    widget = Widget(visitor_page).ready().open()

    widget.send(f"Hello over {transport}")
    conversation_id = widget.conversation_id()
    inbox.open(conversation_id)
    expect(inbox.message(f"Hello over {transport}")).to_be_visible()
    inbox.send(f"Hi, this is Tess ({transport})")
    expect(widget.message(f"Hi, this is Tess ({transport})")).to_be_visible()
    expect(widget.tick(f"Hello over {transport}")).to_have_accessible_name("Seen")

    # The two sockets are held by different processes.
    sockets = deployed.connections()
    visitor_sockets = {row.process_id for row in sockets if row.conversation_id == conversation_id}
    agent_sockets = {row.process_id for row in sockets if row.role == "agent"}
    assert len(visitor_sockets) == 1 and len(agent_sockets) == 1, sockets
    assert visitor_sockets != agent_sockets

    # Every request of each side reached its one process, over the transport asked for.
    agent_context.close()
    visitor_context.close()
    visitor_port, agent_port = deployed.nginx.port, deployed.nginx.pinned_ports[agent_process.port]
    assert deployed.upstreams(log_offset, visitor_port) == {visitor_process}
    assert deployed.upstreams(log_offset, agent_port) == {agent_process}
    if transport == "polling":
        assert deployed.websocket_ports(log_offset) == set()
    else:
        # nginx logs a WebSocket when it ends, just after the pages closed.
        wait_until(lambda: deployed.websocket_ports(log_offset) == {visitor_port, agent_port})


def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
