"""The example integration (examples/keyword_bot.py) against a real server:
a visitor asks about opening hours and gets the bot's answer as an agent
message, once, across a restart of the server and restarts of the bot."""

import re
import signal
import subprocess
import sys
import time

import pytest
import requests

from examples.keyword_bot import DEFAULT_ANSWER
from tests.harness.api import ChatApi, expect_status
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD
from tests.harness.logs import show_log_on_failure
from tests.harness.pool import ClientPool
from tests.harness.ports import free_port
from tests.harness.server import REPO_ROOT, ServerProcess

pytestmark = pytest.mark.live

QUESTION = "Hi! What are your OPENING HOURS on Saturday?"
BOT_WAIT = 20.0  # the bot backs off up to a few seconds between reconnects


@pytest.fixture(scope="module")
def chat(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("keyword-bot"), "eventlet")
    server.prepare().start()
    yield server
    server.stop()


class Inbox:
    """The agent's browser session: makes and revokes named tokens as the
    inbox's API tokens page does (cookie and CSRF token)."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()
        login = self.http.get(f"{url}/login", timeout=10).text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login)[1]
        form = {"email": AGENT_EMAIL, "password": AGENT_PASSWORD, "csrf_token": csrf}
        expect_status(self.http.post(f"{url}/login", data=form, timeout=10), 200)
        page = self.http.get(f"{url}/agent/tokens", timeout=10).text
        self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)[1]

    def make_token(self, name: str, scope: str) -> dict:
        body = {"name": name, "scope": scope, "expires_in_days": 1}
        response = self.http.post(
            f"{self.url}/api/v1/tokens", json=body, headers={"X-CSRFToken": self.csrf}, timeout=10
        )
        return expect_status(response, 201).json()

    def revoke(self, token_id: int) -> None:
        response = self.http.delete(
            f"{self.url}/api/v1/tokens/{token_id}", headers={"X-CSRFToken": self.csrf}, timeout=10
        )
        expect_status(response, 204)


class Bot:
    """examples/keyword_bot.py in its own process."""

    def __init__(self, url: str, token: str, log_path):
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "examples/keyword_bot.py", "--url", url],
                cwd=REPO_ROOT,
                env={"CHAT_TOKEN": token, "PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_for_log(self, text: str, count: int = 1, timeout: float = BOT_WAIT) -> None:
        deadline = time.monotonic() + timeout
        while self.log().count(text) < count:
            assert time.monotonic() < deadline, f"the bot never logged {text!r}:\n{self.log()}"
            time.sleep(0.1)

    def stop(self) -> int:
        """Ctrl-C, as a person would; fails if the bot does not stop."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                pytest.fail(f"the bot did not stop within 10 s of Ctrl-C:\n{self.log()}")
        return self.process.wait()


@pytest.fixture
def bots(request, chat, tmp_path):
    show_log_on_failure(request.node, chat)
    started: list[Bot] = []

    def start(token: str) -> Bot:
        bot = Bot(chat.url, token, tmp_path / f"bot-{len(started)}.log")
        started.append(bot)
        return bot

    yield start
    for bot in started:
        if bot.process.poll() is None:
            bot.process.kill()
            bot.process.wait()


@pytest.fixture
def clients():
    pool = ClientPool()
    yield pool
    pool.close_all()


def answers(api: ChatApi, conversation_id: int) -> list[dict]:
    return [m for m in api.stored(conversation_id) if m["sender"] == "agent"]


def ask(clients, chat, api, label: str):
    """A new visitor, connected, who asks the question; returns (visitor, conversation id)."""
    visitor_id, visitor_token = api.new_conversation(name=label)
    visitor = clients.live(
        chat.url, "websocket", label, reconnection=True, visitor_token=visitor_token
    )
    sent = visitor.call("send_message", {"client_id": f"{label}-1", "body": QUESTION})
    assert sent["ok"], sent
    return visitor, visitor_id


def test_the_bot_answers_live_and_after_a_server_restart(chat, bots, clients):
    token = Inbox(chat.url).make_token("Opening hours bot", "read-write")["token"]
    bot = bots(token)
    bot.wait_for_log("connected to")
    api = ChatApi(chat.url)

    visitor, cid = ask(clients, chat, api, "ana")
    [answer] = visitor.wait_for("message", sender="agent", timeout=BOT_WAIT)
    assert answer["body"] == DEFAULT_ANSWER
    assert answer["client_id"] == f"keyword-bot-{cid}-1"
    # Not every message is a question about opening hours.
    assert visitor.call("send_message", {"client_id": "ana-2", "body": "Thanks!"})["ok"]

    chat.restart(hard=True)
    bot.wait_for_log("connected to", count=2)
    visitor_b, cid_b = ask(clients, chat, api, "ben")
    visitor_b.wait_for("message", sender="agent", timeout=BOT_WAIT)

    assert [m["body"] for m in answers(api, cid)] == [DEFAULT_ANSWER]
    assert [m["body"] for m in answers(api, cid_b)] == [DEFAULT_ANSWER]
    assert bot.process.poll() is None
    api.close()


def test_a_bot_started_late_catches_up_once(chat, bots, clients):
    token = Inbox(chat.url).make_token("Late bot", "read-write")["token"]
    api = ChatApi(chat.url)
    visitor, cid = ask(clients, chat, api, "cy")

    first = bots(token)
    visitor.wait_for("message", sender="agent", timeout=BOT_WAIT)
    assert first.stop() == 0, first.log()
    # A second start finds the same question: the same client_id stores nothing new.
    second = bots(token)
    second.wait_for_log("answered in conversation", timeout=BOT_WAIT)
    assert second.stop() == 0, second.log()

    assert [m["client_id"] for m in answers(api, cid)] == [f"keyword-bot-{cid}-1"]
    time.sleep(0.5)
    assert len(visitor.payloads("message", sender="agent")) == 1
    api.close()


def test_ctrl_c_stops_a_bot_that_waits_for_the_server(tmp_path):
    bot = Bot(f"http://127.0.0.1:{free_port()}", "any-token", tmp_path / "bot.log")
    bot.wait_for_log("trying again in 2 s")
    bot.process.send_signal(signal.SIGINT)
    assert bot.process.wait(5) == 0
    assert "stopping" in bot.log()


def test_the_bot_stops_when_its_token_is_revoked_or_may_only_read(chat, bots, clients):
    inbox = Inbox(chat.url)
    made = inbox.make_token("Revoked bot", "read-write")
    bot = bots(made["token"])
    bot.wait_for_log("connected to")
    inbox.revoke(made["id"])
    assert bot.process.wait(BOT_WAIT) == 1
    assert "revoked" in bot.log()

    reader = bots(inbox.make_token("Read-only bot", "read")["token"])
    reader.wait_for_log("connected to")
    api = ChatApi(chat.url)
    ask(clients, chat, api, "dee")
    assert reader.process.wait(BOT_WAIT) == 1
    assert "forbidden" in reader.log()
    api.close()
