"""Fixtures for end-to-end tests in headless Chromium (Playwright, sync API).

One chat server process (``python wsgi.py``, started with
``tests.live.server.ServerProcess``) serves the whole session, on a fresh
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
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.pages import Inbox, Widget
from tests.live.server import ServerProcess, free_port

VIEWPORT = {"width": 1280, "height": 800}

AGENT_EMAIL = "tess@example.com"
AGENT_NAME = "Tess"
AGENT_PASSWORD = "correct horse battery"

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
}

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"

expect.set_options(timeout=10_000)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Attach the tail of the server log to the report of a failing test."""
    report = yield
    server = getattr(item, "funcargs", {}).get("server")
    if report.failed and isinstance(server, ChatServer):
        report.sections.append(
            (f"server log ({server.process.log_path})", server.process.log_tail(80))
        )
    return report


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


@dataclass
class ChatServer:
    """The chat server process, and what tests need to talk to it directly."""

    process: ServerProcess
    allowed_site: HostSite | None = None
    refused_site: HostSite | None = None
    _token: str | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return self.process.url

    def agent_token(self) -> str:
        if self._token is None:
            response = requests.post(
                f"{self.url}/api/v1/tokens", auth=(AGENT_EMAIL, AGENT_PASSWORD), timeout=10
            )
            response.raise_for_status()
            self._token = response.json()["token"]
        return self._token

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """Call the HTTP API as the agent (API token)."""
        headers = {"Authorization": f"Bearer {self.agent_token()}", **kwargs.pop("headers", {})}
        return requests.request(
            method, f"{self.url}/api/v1{path}", headers=headers, timeout=10, **kwargs
        )

    def bodies(self, conversation_id: int) -> list[str]:
        """The stored messages of a conversation, in order, as the API answers."""
        response = self.api("GET", f"/conversations/{conversation_id}/messages?limit=100")
        assert response.status_code == 200, response.text
        return [message["body"] for message in response.json()["messages"]]

    def conversation_ids(self) -> set[int]:
        response = self.api("GET", "/conversations?limit=200")
        assert response.status_code == 200, response.text
        return {summary["id"] for summary in response.json()["conversations"]}


def start_chat_server(workdir: Path, env: dict) -> ServerProcess:
    process = ServerProcess(workdir, "eventlet", {**SERVER_ENV, **env})
    process.upgrade_database()
    process.create_agent(AGENT_EMAIL, AGENT_NAME, AGENT_PASSWORD)
    process.start()
    return process


@pytest.fixture(scope="session")
def chat_server(tmp_path_factory):
    """The chat server of the session, which allows embedding on ``allowed_site`` only."""
    allowed, refused = HostSite(), HostSite()
    process = start_chat_server(
        tmp_path_factory.mktemp("browser-server"), {"CHAT_ALLOWED_ORIGINS": allowed.url}
    )
    allowed.chat_url = refused.chat_url = process.url
    yield ChatServer(process, allowed, refused)
    process.stop()
    allowed.close()
    refused.close()


@pytest.fixture
def server(chat_server):
    """The chat server; a traceback in its log during the test fails the test."""
    offset = chat_server.process.log_size()
    yield chat_server
    assert chat_server.process.running, f"the server died:\n{chat_server.process.log_tail()}"
    logged = chat_server.process.log_text(offset)
    if "Traceback" in logged:
        pytest.fail(f"the server logged an error during the test:\n{logged[-4000:]}")


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
