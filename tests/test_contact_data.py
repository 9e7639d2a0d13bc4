"""A contact's right to their data: admins download everything the desk holds
of a person in one ZIP, or erase it all, files included, in one action."""

import io
import json
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import db
from app.models import Activity, Agent, Contact, Conversation, Message, Rating, StoredFile
from app.services import lifecycle, ratings, tokens
from tests import test_files, test_identity
from tests.conftest import events
from tests.test_files import PDF, image_bytes, upload
from tests.test_identity import bearer, signed

app = test_files.app  # files in a folder of the test's own
secret = test_identity.secret  # the desk's identity secret, made by an admin


@pytest.fixture
def admin_token(agent):
    agent.role = "admin"
    db.session.commit()
    return tokens.issue_token(agent)


def signed_chat(client, connect, secret, user_id: str, text: str) -> tuple[int, str]:
    """A conversation of the site's user ``user_id`` with one message."""
    user = signed(secret, user_id, name="Maja", email="maja@example.com")
    started = client.post("/api/v1/conversations", json={"identity": user})
    assert started.status_code == 201, started.json
    cid, token = started.json["conversation_id"], started.json["visitor_token"]
    socket = connect(visitor_token=token)
    assert socket.emit("send_message", {"client_id": text, "body": text}, callback=True)["ok"]
    return cid, token


@pytest.fixture
def maja(client, connect, secret, agent):
    """Maja, a signed user with two conversations: the first resolved, rated
    and with a note; the second with a photo and a PDF. And another user."""
    first, _ = signed_chat(client, connect, secret, "u-42", "Where is my order?")
    lifecycle.resolve(first, lifecycle.Actor(agent.id, "Tess"))
    ratings.rate(first, 5, "Thanks!")
    from app.services import activity

    activity.record(first, "note", agent.id, "Tess", None, "VIP customer")
    db.session.commit()
    second, token = signed_chat(client, connect, secret, "u-42", "Here is the receipt")
    visitor = connect(visitor_token=token)
    for data, name in ((image_bytes(), "receipt.png"), (PDF, "invoice.pdf")):
        made = upload(client, second, token, data, name=name, mimetype="")
        assert made.status_code == 201, made.json
        ack = visitor.emit(
            "send_message", {"client_id": name, "file_id": made.json["file"]["id"]}, callback=True
        )
        assert ack["ok"], ack
    other, _ = signed_chat(client, connect, secret, "u-7", "Another person")
    contact_id = db.session.scalar(sa.select(Contact.id).where(Contact.external_id == "u-42"))
    return {"contact_id": contact_id, "conversations": [first, second], "other": other}


def exported(client, admin_token, contact_id) -> zipfile.ZipFile:
    response = client.get(
        f"/api/v1/admin/contacts/{contact_id}/export", headers=bearer(admin_token)
    )
    assert response.status_code == 200, response.data[:200]
    assert response.mimetype == "application/zip"
    assert f"contact-{contact_id}.zip" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_the_export_holds_every_conversation_message_note_rating_and_file(
    client, admin_token, maja
):
    archive = exported(client, admin_token, maja["contact_id"])
    document = json.loads(archive.read("contact.json"))

    assert document["contact"]["user_id"] == "u-42"
    assert document["contact"]["email"] == "maja@example.com"
    first, second = document["conversations"]
    assert [c["conversation"]["id"] for c in (first, second)] == maja["conversations"]
    assert [m["body"] for m in first["messages"]] == ["Where is my order?"]
    assert [r["score"] for r in first["ratings"]] == [5]
    assert "VIP customer" in [line.get("body") for line in first["activities"]]
    names = [f["name"] for f in second["files"]]
    assert names == ["receipt.png", "invoice.pdf"]
    assert archive.read(second["files"][1]["path"]) == PDF
    assert archive.read(second["files"][0]["path"]) == image_bytes()
    assert "Another person" not in archive.read("contact.json").decode()


def test_erasing_deletes_the_contact_and_all_of_theirs_in_one_action(
    app, client, connect, admin_token, agent_token, maja
):
    inbox = connect(token=agent_token)
    inbox.get_received()
    folder = Path(app.config["CHAT_FILE_DIR"])
    assert any((folder / str(maja["conversations"][1])).iterdir())

    response = client.delete(
        f"/api/v1/admin/contacts/{maja['contact_id']}", headers=bearer(admin_token)
    )

    assert response.status_code == 200
    assert response.json == {
        "contact_id": maja["contact_id"],
        "conversation_ids": maja["conversations"],
    }
    db.session.rollback()
    gone = maja["conversations"]
    assert db.session.get(Contact, maja["contact_id"]) is None
    for model in (Message, Activity, Rating, StoredFile):
        rows = db.session.scalars(sa.select(model).where(model.conversation_id.in_(gone)))
        assert list(rows) == [], model
    assert db.session.scalars(sa.select(Conversation.id)).all() == [maja["other"]]
    assert not (folder / str(gone[1])).exists()
    deleted = [e["conversation_id"] for e in events(inbox, "conversation_deleted")]
    assert deleted == gone


def test_only_admins_export_or_erase(client, maja, new_visitor):
    ben = Agent(email="ben@example.com", name="Ben", role="agent")
    ben.set_password("a long password")
    db.session.add(ben)
    db.session.commit()
    plain = tokens.issue_token(ben)
    _, visitor = new_visitor()
    path = f"/api/v1/admin/contacts/{maja['contact_id']}"
    for headers, status in ((bearer(plain), 403), (bearer(visitor), 403), ({}, 401)):
        assert client.get(f"{path}/export", headers=headers).status_code == status
        assert client.delete(path, headers=headers).status_code == status
    assert db.session.get(Contact, maja["contact_id"]) is not None


def test_an_unknown_contact_is_not_found(client, admin_token):
    for method, path in (("GET", "/9999/export"), ("DELETE", "/9999")):
        response = client.open(
            f"/api/v1/admin/contacts{path}", method=method, headers=bearer(admin_token)
        )
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"
