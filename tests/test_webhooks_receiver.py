"""The receiver in docs/webhooks.md, run as written: it accepts a real
delivery from the server, and refuses a forged one and replays."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from app import db
from app.models import WebhookDelivery
from app.services import outbox, settings, webhook_delivery, webhooks
from app.services.conversations import create_conversation
from tests.harness.ports import free_port, wait_for_port

DOC = Path(__file__).resolve().parents[1] / "docs" / "webhooks.md"


def receiver_code() -> str:
    """The doc's Python code block under "## A receiver"."""
    section = DOC.read_text().split("\n## A receiver\n", 1)[1]
    return re.search(r"```python\n(.*?)\n```", section, re.DOTALL).group(1)


def test_the_documented_handler_is_ten_lines():
    handler = receiver_code().split("def webhook():\n", 1)[1]
    assert len(handler.splitlines()) == 10


@pytest.fixture
def documented_receiver(tmp_path):
    """The doc's receiver under `flask run` on a free port, with a secret."""
    (tmp_path / "receiver.py").write_text(receiver_code())
    port, secret = free_port(), webhooks.new_secret()
    env = {**os.environ, "WEBHOOK_SECRET": secret, "PYTHONUNBUFFERED": "1"}
    env.pop("FLASK_APP", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "receiver", "run", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}/webhook", secret, process
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_documented_receiver_accepts_only_the_real_delivery(
    app, documented_receiver, monkeypatch
):
    url, secret, process = documented_receiver
    settings.put(webhooks.ALLOW_PRIVATE, True)
    db.session.commit()
    endpoint = webhooks.register(url, "docs", ["conversation.created"])
    endpoint.secret = secret  # the one the receiver was started with, as an admin copies it
    db.session.commit()
    sent = []
    sign = webhook_delivery.headers

    def keep(*args, **kwargs):
        sent.append(sign(*args, **kwargs))
        return sent[-1]

    monkeypatch.setattr(webhook_delivery, "headers", keep)  # the real headers, also kept
    conversation, _token = create_conversation(name="Ana")
    outbox.run_due()

    delivery = db.session.get(WebhookDelivery, sent[0]["Webhook-Id"])
    assert (delivery.status, delivery.response_code) == ("delivered", 204)
    body = delivery.body.encode()
    replay = requests.post(url, data=body, headers=sent[0], timeout=5)
    forged_headers = {**sent[0], "Webhook-Id": "msg_forged"}
    forged_headers["Webhook-Signature"] = sign("msg_forged", "whsec_wrong", delivery.body)[
        "Webhook-Signature"
    ]
    forged = requests.post(url, data=body, headers=forged_headers, timeout=5)
    old = sign("msg_old", secret, delivery.body, timestamp=int(time.time()) - 3600)
    too_old = requests.post(url, data=body, headers=old, timeout=5)
    unsigned = requests.post(url, data=body, timeout=5)

    assert (replay.status_code, forged.status_code, too_old.status_code) == (409, 401, 409)
    assert unsigned.status_code == 401
    process.terminate()
    output = process.communicate(timeout=10)[0]
    processed = [line for line in output.splitlines() if not line.startswith(" * ")]  # banner
    assert processed == [f"conversation.created {conversation.id}"]
