"""Emails from real server processes to a real SMTP server (aiosmtpd): none
lost when a process is killed, none sent twice by two processes."""

import sqlite3
import time

import pytest
import socketio

from tests.harness.api import ChatApi
from tests.harness.server import ServerProcess
from tests.harness.smtp import SmtpServer
from tests.live.conftest import SERVER_ENV

pytestmark = pytest.mark.live


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


def mail_env(smtp) -> dict:
    return {
        **SERVER_ENV,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "CHAT_OUTBOX_BACKOFF": "0.5",
        "CHAT_OUTBOX_INTERVAL": "0.2",
    }


def replies_waiting_to_be_emailed(process: ServerProcess, count: int) -> list[str]:
    """``count`` visitors with an email, each with an agent's reply they left
    unseen; the replies' emails are due now. Returns the addresses."""
    addresses = []
    with ChatApi(process.url) as api:
        agent = socketio.Client(reconnection=False)
        agent.connect(process.url, auth={"token": api.agent_token}, transports=["polling"])
        for n in range(count):
            address = f"visitor{n}@example.com"
            conversation_id, _token = api.new_conversation(email=address)
            reply = {"conversation_id": conversation_id, "client_id": f"r{n}", "body": "Hello!"}
            assert agent.call("send_message", reply, timeout=10)["ok"]
            addresses.append(address)
        agent.disconnect()
    with sqlite3.connect(process.database_path) as database:
        database.execute("UPDATE outbox_jobs SET due_at = '2000-01-01 00:00:00'")
    return addresses


def wait_for(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_an_email_refused_then_killed_is_sent_once_after_the_restart(tmp_path, smtp):
    smtp.mailbox.refusals = ["451 4.3.0 Try again later"]
    process = ServerProcess(tmp_path, env=mail_env(smtp)).prepare().start()
    try:
        (address,) = replies_waiting_to_be_emailed(process, 1)
        wait_for(lambda: smtp.mailbox.attempts >= 1)
        process.kill()  # no clean shutdown: the job waits in the database
        assert smtp.messages == []
        process.start()
        wait_for(lambda: len(smtp.messages) == 1)
        process.restart()
        time.sleep(2)
        assert [message["To"] for message in smtp.messages] == [address]
    finally:
        process.stop()


def test_two_processes_send_each_email_once(tmp_path, smtp):
    env = mail_env(smtp)
    first = ServerProcess(tmp_path / "a", env=env)
    second = ServerProcess(tmp_path / "b", env=env, database_url=first.database_url)
    try:
        first.prepare().start()
        second.start()  # both look for due jobs from now on
        addresses = replies_waiting_to_be_emailed(first, 12)
        wait_for(lambda: len(smtp.messages) >= 12)
        time.sleep(2)
        assert sorted(message["To"] for message in smtp.messages) == sorted(addresses)
    finally:
        first.stop()
        second.stop()
