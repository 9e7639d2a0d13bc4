"""Fixtures for end-to-end tests in headless Chromium (Playwright, sync API).

One chat server process (``python wsgi.py``, started with
``tests.harness.server.ServerProcess``) serves the whole session, on a fresh
SQLite database with an agent made by the CLI. Two small "customer site"
servers on other ports embed the widget with the one-line snippet: the
chat server lists the first one in ``CHAT_ALLOWED_ORIGINS``, not the second.

Every test gets fresh browser contexts (``new_context``), so a visitor starts
with empty storage; an uncaught script error on any page fails the test, and
so does a traceback in the server log.
"""

import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.pages import Inbox, Widget
from tests.harness.api import ChatApi
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD
from tests.harness.logs import watching
from tests.harness.ports import free_port
from tests.harness.server import REPO_ROOT, ServerProcess

VIEWPORT = {"width": 1280, "height": 800}

# Short presence grace so "Offline" shows quickly; typing expiry shorter than
# the default but longer than the clients' 2 s refresh. Many conversations
# and logins come from 127.0.0.1, more than the default rates allow, and the
# agent acts in many tests.
SERVER_ENV = {
    "CHAT_TYPING_TIMEOUT": "3",
    "CHAT_PRESENCE_GRACE": "0.5",
    "CHAT_CONVERSATION_RATE": "10000 per minute",
    "CHAT_LOGIN_RATE": "10000 per minute",
    "CHAT_MESSAGE_RATE": "10000 per minute",
    "CHAT_HISTORY_RATE": "10000 per minute",
    "CHAT_JOIN_RATE": "10000 per minute",
    "CHAT_IDENTIFY_RATE": "10000 per minute",
}

SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"

expect.set_options(timeout=10_000)


# The customer's site: a page on another origin that embeds the widget.

HOST_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Acme Bikes</title>
<style>
  /* A site whose CSS would wreck an unprotected widget. */
  * {{ font-family: "Comic Sans MS", cursive !important; letter-spacing: 3px !important;
       text-transform: uppercase !important; line-height: 3 !important;
       box-sizing: content-box !important; color: #0a0 !important; }}
  button, textarea, input {{ all: unset; background: hotpink !important; width: 7px !important; }}
  p, div, section, header, form {{ margin: 40px !important; padding: 30px !important;
       display: block !important; border: 4px dashed red !important; }}
  svg {{ width: 300px !important; height: 300px !important; }}
  [hidden] {{ display: block !important; }}
  body {{ background: #ffe; }}
</style>
</head>
<body>
<h1>Acme Bikes</h1>
<p>Hand-built city bikes.</p>
<script src="{chat_url}/widget.js" defer data-title="Acme help" data-color="#b42318"></script>
</body>
</html>
"""


class HostSite:
    """A tiny web server on its own port that serves the embedding page."""

    def __init__(self):
        self.chat_url = ""
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the name http.server asks for)
                body = HOST_PAGE.format(chat_url=site.chat_url).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


class ChatServer(ChatApi):
    """The chat server process, and what tests need to talk to it directly."""

    def __init__(self, process: ServerProcess):
        super().__init__(process.url)
        self.process = process
        # The customer sites that embed the widget, where a test needs them.
        self.allowed_site: HostSite | None = None
        self.refused_site: HostSite | None = None


@contextmanager
def serving_chat(workdir: Path, env: dict | None = None) -> Iterator[ChatServer]:
    """A chat server process of the browser tests, stopped at the end."""
    process = ServerProcess(workdir, "eventlet", {**SERVER_ENV, **(env or {})})
    server = ChatServer(process.prepare().start())
    try:
        yield server
    finally:
        server.close()
        process.stop()


@pytest.fixture(scope="session")
def chat_server(tmp_path_factory):
    """The chat server of the session, which allows embedding on ``allowed_site`` only."""
    allowed, refused = HostSite(), HostSite()
    workdir = tmp_path_factory.mktemp("browser-server")
    with serving_chat(workdir, {"CHAT_ALLOWED_ORIGINS": allowed.url}) as server:
        allowed.chat_url = refused.chat_url = server.url
        server.allowed_site, server.refused_site = allowed, refused
        yield server
    allowed.close()
    refused.close()


@pytest.fixture
def server(request, chat_server):
    """The chat server; a traceback in its log during the test fails the test."""
    with watching(request.node, chat_server.process):
        yield chat_server


# The browser (the session's ``browser`` fixture is in tests/browser/chromium.py).


@pytest.fixture
def new_context(browser: Browser):
    """Open browser contexts (separate profiles); closed at the end of the test.

    An uncaught script error or any dialog (``alert()``, ``confirm()``, ...)
    on any of their pages fails the test.
    """
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def on_dialog(page: Page, dialog):
        errors.append(f"{page.url}: a {dialog.type} dialog opened: {dialog.message!r}")
        dialog.dismiss()

    def watch(page: Page):
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        page.on("dialog", lambda dialog: on_dialog(page, dialog))

    def open_context(**options) -> BrowserContext:
        options.setdefault("viewport", VIEWPORT)
        options.setdefault("locale", "en-GB")
        options.setdefault("timezone_id", "Europe/Copenhagen")
        context = browser.new_context(**options)
        context.on("page", watch)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()
    assert not errors, f"script errors on the pages: {errors}"


@pytest.fixture
def visitor(server, new_context):
    """A visitor on the demo site with the widget; ``visitor(query)`` opens another."""

    def open_visitor(query: str = "", context: BrowserContext | None = None) -> Widget:
        page = (context or new_context()).new_page()
        page.goto(f"{server.url}/{query}")
        return Widget(page).ready()

    return open_visitor


@pytest.fixture
def agent(server, new_context):
    """The agent, logged in through the form, on the inbox; ``agent(query)`` opens it."""

    def open_inbox(query: str = "", context: BrowserContext | None = None) -> Inbox:
        if context is None:
            context = new_context()
            page = context.new_page()
            log_in(page, server.url, next_path=f"/agent{query}")
        else:
            page = context.new_page()
            page.goto(f"{server.url}/agent{query}")
        return Inbox(page).ready()

    return open_inbox


def log_in(page: Page, url: str, next_path: str = "/agent") -> None:
    page.goto(f"{url}/login?next={next_path}")
    page.get_by_label("Email").fill(AGENT_EMAIL)
    page.get_by_label("Password").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}{next_path}")


@pytest.fixture(scope="session")
def screenshots_dir(tmp_path_factory):
    """Where the screenshots go: docs/screenshots/ with UPDATE_SCREENSHOTS=1,
    so that an ordinary test run leaves the committed pictures alone."""
    if not os.environ.get("UPDATE_SCREENSHOTS"):
        return tmp_path_factory.mktemp("screenshots")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
