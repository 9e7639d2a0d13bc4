"""Emails, sent through the outbox to a real SMTP server (aiosmtpd) started
by the tests: what they say, their links, retries, and that none is sent
twice, across a restart or by two workers."""

import re
import threading
import time

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from app import db
from app.clock import utcnow
from app.models import OutboxJob
from app.realtime import background
from app.services import outbox
from tests.conftest import empty_database, events
from tests.harness.smtp import SmtpServer, html_of, text_of

REPLY = "Yes, the Aurora 2 takes shades up to 45 cm."


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def app(app_factory, smtp, request):
    """The app, sending mail to the test's SMTP server, retrying at once."""
    settings = {**smtp.config(), "CHAT_OUTBOX_BACKOFF": 0, "CHAT_OUTBOX_MAX_ATTEMPTS": 3}
    app = app_factory(**{**settings, **getattr(request, "param", {})})
    with app.app_context():
        db.create_all()
        yield app
        background.stop(app)
        db.session.remove()
        empty_database()
        db.engine.dispose()


def make_due(kind: str) -> None:
    """Jobs of ``kind`` are due now (their delay has passed)."""
    db.session.execute(sa.update(OutboxJob).where(OutboxJob.kind == kind).values(due_at=utcnow()))
    db.session.commit()


def jobs(kind: str) -> list[OutboxJob]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxJob).where(OutboxJob.kind == kind)))


@pytest.fixture
def reply_left_unseen(new_visitor, connect, agent_token):
    """A visitor with an email asks, leaves; an agent replies. Returns the
    conversation id and the visitor's token."""
    cid, token = new_visitor(name="Maja", email="maja@example.com")
    visitor = connect(visitor_token=token)
    visitor.emit("send_message", {"client_id": "v1", "body": "Fits a 40 cm shade?"}, callback=True)
    visitor.disconnect()
    agent = connect(token=agent_token)
    ack = agent.emit(
        "send_message", {"conversation_id": cid, "client_id": "a1", "body": REPLY}, callback=True
    )
    assert ack["ok"]
    return cid, token


def test_an_unseen_reply_is_emailed_when_due_with_a_link_back(
    reply_left_unseen, smtp, client, connect
):
    cid, old_token = reply_left_unseen
    assert outbox.run_due() == 0  # due in a few minutes, not now
    make_due("email.unseen_reply")
    outbox.run_due()

    (message,) = smtp.messages
    assert message["To"] == "maja@example.com"
    assert message["Subject"] == f"New reply: {REPLY}"
    assert "Hello Maja" in text_of(message) and REPLY in text_of(message)
    assert REPLY in html_of(message) and "Continue the conversation" in html_of(message)
    link = re.search(r"(http://\S+/chat/resume#(\S+))", text_of(message))
    assert link.group(1) in html_of(message)
    assert client.get("/chat/resume").status_code == 200

    answer = client.post("/api/v1/resume", json={"link": link.group(2)})
    assert answer.status_code == 200
    assert answer.json["conversation_id"] == cid
    socket = connect(visitor_token=answer.json["visitor_token"])
    assert socket.is_connected()
    assert events(socket, "chat_state")[0]["conversation_id"] == cid
    assert not connect(visitor_token=old_token).is_connected()  # the old key is replaced


def test_a_reply_seen_in_time_or_with_the_visitor_back_sends_nothing(
    new_visitor, connect, agent_token, smtp
):
    cid, token = new_visitor(email="maja@example.com")
    visitor = connect(visitor_token=token)
    agent = connect(token=agent_token)
    for n in (1, 2):
        agent.emit("send_message", {"conversation_id": cid, "client_id": f"a{n}", "body": "Hi"})
    make_due("email.unseen_reply")
    outbox.run_due()  # the visitor is in the chat
    visitor.emit("receipt", {"status": "seen", "up_to_seq": 2}, callback=True)
    visitor.disconnect()
    outbox.retry_now(jobs("email.unseen_reply")[0].id)
    db.session.commit()
    outbox.run_due()  # seen
    assert smtp.messages == []
    assert {job.status for job in jobs("email.unseen_reply")} == {"done"}


def test_two_replies_in_a_row_make_one_email(new_visitor, connect, agent_token, smtp):
    cid, token = new_visitor(email="maja@example.com")
    agent = connect(token=agent_token)
    for n, body in enumerate(["First answer", "Second answer"]):
        agent.emit("send_message", {"conversation_id": cid, "client_id": f"a{n}", "body": body})
    make_due("email.unseen_reply")
    outbox.run_due()
    (message,) = smtp.messages
    assert message["Subject"] == "2 new replies: Second answer"
    assert "First answer" in text_of(message) and "Second answer" in text_of(message)


def test_an_expired_or_altered_link_is_refused(reply_left_unseen, client, monkeypatch, app):
    cid, _token = reply_left_unseen
    from app.services import resume_links

    fresh = resume_links.link_for(cid).split("#", 1)[1]
    hours = app.config["CHAT_RESUME_LINK_HOURS"]
    later = time.time() + hours * 3600 + 5
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(later))
    expired = client.post("/api/v1/resume", json={"link": fresh})
    assert expired.status_code == 400
    assert expired.json["error"]["message"] == "this link has expired"
    monkeypatch.undo()

    altered = fresh[:-2] + ("AA" if not fresh.endswith("AA") else "BB")
    for bad in (altered, "x", "", 7, "a" * 1001):
        answer = client.post("/api/v1/resume", json={"link": bad})
        assert answer.status_code == 400, bad
    assert client.post("/api/v1/resume", json={"link": fresh}).status_code == 200


def test_a_link_of_another_secret_is_refused(reply_left_unseen, client):
    from itsdangerous import URLSafeTimedSerializer

    from app.services.resume_links import SALT

    forged = URLSafeTimedSerializer("another-secret", salt=SALT).dumps({"conversation_id": 1})
    assert client.post("/api/v1/resume", json={"link": forged}).status_code == 400
    other_salt = URLSafeTimedSerializer("test-secret", salt="other").dumps({"conversation_id": 1})
    assert client.post("/api/v1/resume", json={"link": other_salt}).status_code == 400


def test_a_link_of_an_ended_chat_is_refused(reply_left_unseen, client):
    cid, token = reply_left_unseen
    from app.services import resume_links

    link = resume_links.link_for(cid).split("#", 1)[1]
    client.post(f"/api/v1/conversations/{cid}/end", headers={"Authorization": f"Bearer {token}"})
    answer = client.post("/api/v1/resume", json={"link": link})
    assert answer.status_code == 400
    assert answer.json["error"]["message"] == "this conversation has ended"


def test_refusals_are_retried_until_the_server_accepts(reply_left_unseen, smtp):
    smtp.mailbox.refusals = ["451 4.3.0 Try again later", "554 5.7.1 Not now"]
    make_due("email.unseen_reply")
    outbox.run_due()
    (job,) = jobs("email.unseen_reply")
    assert job.status == "pending" and "451" in job.last_error and smtp.messages == []
    outbox.run_due()
    assert "554" in jobs("email.unseen_reply")[0].last_error
    outbox.run_due()
    assert len(smtp.messages) == 1 and smtp.mailbox.attempts == 3
    assert jobs("email.unseen_reply")[0].status == "done"
    outbox.run_due()
    assert len(smtp.messages) == 1


def test_an_unreachable_server_is_retried_too(reply_left_unseen, smtp, app):
    app.config["MAIL_PORT"] = smtp.port + 1 if smtp.port < 65535 else smtp.port - 1
    from app import mail

    mail.init_app(app)
    make_due("email.unseen_reply")
    outbox.run_due()
    assert jobs("email.unseen_reply")[0].status == "pending"
    app.config["MAIL_PORT"] = smtp.port
    mail.init_app(app)
    outbox.run_due()
    assert len(smtp.messages) == 1


def test_a_restart_sends_what_was_recorded_once(reply_left_unseen, smtp, app_factory, app):
    make_due("email.unseen_reply")
    # The process that recorded the job is gone; a new one starts on the database.
    restarted = app_factory(**smtp.config(), CHAT_OUTBOX_BACKOFF=0)
    with restarted.app_context():
        assert outbox.run_due() == 1
        assert outbox.run_due() == 0
        db.session.remove()
    assert outbox.run_due() == 0
    assert len(smtp.messages) == 1


def test_two_workers_never_send_the_same_email(
    new_visitor, connect, agent_token, smtp, app_factory
):
    conversations = []
    for n in range(6):
        cid, _token = new_visitor(email=f"visitor{n}@example.com")
        conversations.append(cid)
        agent = connect(token=agent_token)
        agent.emit("send_message", {"conversation_id": cid, "client_id": f"a{n}", "body": "Hi"})
    make_due("email.unseen_reply")
    workers = [app_factory(**smtp.config(), CHAT_OUTBOX_BACKOFF=0) for _ in range(2)]
    start = threading.Barrier(2)

    def work(worker):
        with worker.app_context():
            start.wait()
            outbox.run_due()
            db.session.remove()

    threads = [threading.Thread(target=work, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    recipients = sorted(message["To"] for message in smtp.messages)
    assert recipients == sorted(f"visitor{n}@example.com" for n in range(6))


def test_agents_are_emailed_of_a_chat_waiting_with_nobody_online(new_visitor, connect, agent, smtp):
    cid, token = new_visitor(name="Jonas", email="jonas@example.com")
    visitor = connect(visitor_token=token)
    visitor.emit("send_message", {"client_id": "v1", "body": "Is the Halo dimmable?"})
    visitor.emit("send_message", {"client_id": "v2", "body": "Hello?"})
    assert len(jobs("email.waiting")) == 1  # once per wait, not per message
    make_due("email.waiting")
    outbox.run_due()
    (message,) = smtp.messages
    assert message["To"] == agent.email
    assert message["Subject"] == "Waiting with nobody online: a visitor: Hello?"
    assert "Jonas · jonas@example.com" in text_of(message)
    assert "Is the Halo dimmable?" in text_of(message)
    assert "http://localhost:5000/agent" in html_of(message)


def test_no_waiting_email_when_an_agent_answers_first(new_visitor, connect, agent_token, smtp):
    cid, token = new_visitor()
    visitor = connect(visitor_token=token)
    visitor.emit("send_message", {"client_id": "v1", "body": "Anyone?"})
    agent = connect(token=agent_token)
    agent.emit("send_message", {"conversation_id": cid, "client_id": "a1", "body": "Here!"})
    make_due("email.waiting")
    outbox.run_due()
    assert smtp.messages == []


def test_no_waiting_email_while_an_agent_is_online(new_visitor, connect, agent_token, smtp):
    connect(token=agent_token)
    _cid, token = new_visitor()
    connect(visitor_token=token).emit("send_message", {"client_id": "v1", "body": "Hi"})
    assert jobs("email.waiting") == []


@pytest.mark.parametrize("app", [{"CHAT_TRANSCRIPT_RATE": "3 per hour"}], indirect=True)
def test_the_visitor_gets_the_transcript_by_email_a_few_times(
    new_visitor, connect, agent_token, smtp
):
    cid, token = new_visitor()
    visitor = connect(visitor_token=token)
    visitor.emit("send_message", {"client_id": "v1", "body": "Order 1182 arrived broken"})
    connect(token=agent_token).emit(
        "send_message",
        {"conversation_id": cid, "client_id": "a1", "body": "A new one is on its way."},
    )
    no_email = visitor.emit("email_transcript", {}, callback=True)
    assert no_email["error"]["code"] == "invalid"
    visitor.emit("set_email", {"email": "maja@example.com"}, callback=True)
    assert visitor.emit("email_transcript", {}, callback=True) == {
        "ok": True,
        "email": "maja@example.com",
    }
    outbox.run_due()
    (message,) = smtp.messages
    assert message["Subject"] == "Your chat transcript"
    assert "Order 1182 arrived broken" in text_of(message)
    assert "A new one is on its way." in html_of(message)
    assert visitor.emit("email_transcript", {}, callback=True)["ok"]
    limited = visitor.emit("email_transcript", {}, callback=True)
    assert limited["error"]["code"] == "rate_limited"


def test_agents_do_not_ask_for_a_visitors_transcript(new_visitor, connect, agent_token):
    cid, _token = new_visitor(email="maja@example.com")
    ack = connect(token=agent_token).emit(
        "email_transcript", {"conversation_id": cid}, callback=True
    )
    assert ack["error"]["code"] == "forbidden"


@pytest.mark.parametrize("app", [{"MAIL_SERVER": None}], indirect=True)
def test_without_a_mail_server_nothing_is_recorded(reply_left_unseen, connect, smtp, client):
    _cid, token = reply_left_unseen
    assert jobs("email.unseen_reply") == []
    assert client.get("/api/v1/availability").json["mail"] is False


def test_html_email_escapes_what_people_wrote(new_visitor, connect, agent_token, smtp):
    cid, _token = new_visitor(name="<b>Maja</b>", email="maja@example.com")
    connect(token=agent_token).emit(
        "send_message", {"conversation_id": cid, "client_id": "a1", "body": "<script>x</script>"}
    )
    make_due("email.unseen_reply")
    outbox.run_due()
    html = html_of(smtp.messages[0])
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<b>Maja" not in html
    assert "<script>x</script>" in text_of(smtp.messages[0])


def test_the_link_lifetime_is_in_the_email(reply_left_unseen, smtp, app):
    make_due("email.unseen_reply")
    outbox.run_due()
    hours = app.config["CHAT_RESUME_LINK_HOURS"]
    assert f"works for {hours:g} hours" in text_of(smtp.messages[0])


def test_the_resume_page_leaks_nothing(client):
    page = client.get("/chat/resume")
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page.headers["Cache-Control"]
    assert "resume/resume.js" in page.get_data(as_text=True)


@pytest.mark.parametrize("app", [{"CHAT_RESUME_RATE": "3 per minute"}], indirect=True)
def test_opening_links_is_rate_limited(client):
    answers = [client.post("/api/v1/resume", json={"link": "x"}).status_code for _ in range(4)]
    assert answers == [400, 400, 400, 429]


def test_a_reply_written_before_the_address_was_left_is_emailed_too(
    new_visitor, connect, agent_token, smtp
):
    cid, token = new_visitor()
    visitor = connect(visitor_token=token)
    agent = connect(token=agent_token)
    agent.emit("send_message", {"conversation_id": cid, "client_id": "a1", "body": "Answer"})
    assert jobs("email.unseen_reply") == []  # nowhere to send it yet
    visitor.emit("set_email", {"email": "late@example.com"}, callback=True)
    visitor.emit("set_email", {"email": "later@example.com"}, callback=True)
    assert len(jobs("email.unseen_reply")) == 1  # once, not per change of address
    visitor.disconnect()
    make_due("email.unseen_reply")
    outbox.run_due()
    (message,) = smtp.messages
    assert message["To"] == "later@example.com" and "Answer" in text_of(message)
