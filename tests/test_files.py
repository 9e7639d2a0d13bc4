"""Files in chats: upload, send as a message, fetch; sniffing, thumbnails,
limits, who may read, and deletion with the conversation."""

import io
import os
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from app import db
from app.clock import utcnow
from app.models import Conversation, FileBlob, StoredFile
from app.realtime import background
from app.services import files
from tests.conftest import empty_database, events
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def app(app_factory, tmp_path, request):
    """The app with its file folder in the test's own directory."""
    settings = {
        "CHAT_FILE_STORAGE": "local",
        "CHAT_FILE_DIR": str(tmp_path / "files"),
        **getattr(request, "param", {}),
    }
    app = app_factory(**settings)
    with app.app_context():
        db.create_all()
        yield app
        background.stop(app)
        db.session.remove()
        empty_database()
        db.engine.dispose()


def image_bytes(fmt="PNG", size=(64, 40), exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    if exif is not None:
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def upload(client, cid, token, data, name="photo.png", mimetype="image/png"):
    return client.post(
        f"/api/v1/conversations/{cid}/files",
        data={"file": (io.BytesIO(data), name, mimetype)},
        headers=bearer(token) if token else {},
        content_type="multipart/form-data",
    )


@pytest.fixture
def chat(new_visitor):
    cid, token = new_visitor(name="Ana")
    return cid, token


# --- sending a file ---------------------------------------------------------------------


def test_a_visitor_sends_an_image_the_agent_receives_it_and_history_keeps_it(
    client, chat, connect, agent_token
):
    cid, token = chat
    agent = connect(token=agent_token)
    visitor = connect(visitor_token=token)
    response = upload(client, cid, token, image_bytes(size=(1200, 600)), name="holiday.png")
    assert response.status_code == 201, response.json
    file = response.json["file"]
    assert file["kind"] == "image" and file["content_type"] == "image/png"
    assert (file["width"], file["height"]) == (1200, 600)
    assert file["url"] == f"/api/v1/files/{file['id']}"
    assert file["thumbnail_url"] == f"/api/v1/files/{file['id']}/thumbnail"

    agent.get_received()
    ack = visitor.emit("send_message", {"client_id": "f1", "file_id": file["id"]}, callback=True)
    assert ack["ok"], ack
    message = ack["message"]
    # A client that knows nothing of files sees the file's name as the body.
    assert message["body"] == "holiday.png"
    assert message["file"] == file
    (received,) = [m for m in events(agent, "message") if m["client_id"] == "f1"]
    assert received["file"] == file

    history = visitor.emit("history", {}, callback=True)
    assert history["messages"][-1]["file"] == file
    listed = client.get(f"/api/v1/conversations/{cid}/messages", headers=bearer(agent_token))
    assert listed.json["messages"][-1]["file"] == file

    thumb = client.get(file["thumbnail_url"], headers=bearer(agent_token))
    assert thumb.status_code == 200 and thumb.mimetype == "image/webp"
    with Image.open(io.BytesIO(thumb.data)) as small:
        assert max(small.size) == 480


def test_a_caption_is_kept_and_a_retry_stores_the_message_once(client, chat, connect):
    cid, token = chat
    visitor = connect(visitor_token=token)
    file = upload(client, cid, token, image_bytes()).json["file"]
    payload = {"client_id": "c1", "file_id": file["id"], "body": "  the broken part "}
    first = visitor.emit("send_message", payload, callback=True)
    again = visitor.emit("send_message", payload, callback=True)
    assert first["message"]["body"] == "the broken part"
    assert again["message"]["id"] == first["message"]["id"]
    assert again["message"]["file"]["id"] == file["id"]


def test_plain_messages_carry_no_file(chat, connect):
    _, token = chat
    visitor = connect(visitor_token=token)
    ack = visitor.emit("send_message", {"client_id": "t1", "body": "hi"}, callback=True)
    assert ack["message"]["file"] is None


@pytest.mark.parametrize(
    "payload",
    [
        {"client_id": "x"},
        {"client_id": "x", "file_id": ""},
        {"client_id": "x", "file_id": "a" * 33},
        {"client_id": "x", "file_id": 5},
    ],
)
def test_a_message_without_body_or_good_file_id_is_invalid(chat, connect, payload):
    _, token = chat
    ack = connect(visitor_token=token).emit("send_message", payload, callback=True)
    assert ack["error"]["code"] == "invalid"


def test_an_agent_sends_a_pdf_and_the_visitor_downloads_it(client, chat, connect, agent_token):
    cid, token = chat
    visitor = connect(visitor_token=token)
    agent = connect(token=agent_token)
    response = upload(client, cid, agent_token, PDF, name="invoice.pdf", mimetype="x/whatever")
    assert response.status_code == 201, response.json
    file = response.json["file"]
    assert file["kind"] == "file" and file["content_type"] == "application/pdf"
    assert file["thumbnail_url"] is None
    visitor.get_received()
    ack = agent.emit(
        "send_message",
        {"conversation_id": cid, "client_id": "p1", "file_id": file["id"]},
        callback=True,
    )
    assert ack["ok"], ack
    (received,) = events(visitor, "message")
    assert received["file"]["name"] == "invoice.pdf"

    download = client.get(file["url"], headers=bearer(token))
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "invoice.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert "default-src 'none'" in download.headers["Content-Security-Policy"]
    assert "private" in download.headers["Cache-Control"]


def test_images_are_served_inline_with_a_safe_policy(client, chat):
    cid, token = chat
    file = upload(client, cid, token, image_bytes("JPEG"), name="a.jpg").json["file"]
    response = client.get(file["url"], headers=bearer(token))
    assert response.mimetype == "image/jpeg"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"


# --- the type comes from the content -----------------------------------------------------


def test_the_type_is_sniffed_not_taken_from_the_client(client, chat):
    cid, token = chat
    png_named_pdf = upload(client, cid, token, image_bytes(), "report.pdf", "application/pdf")
    assert png_named_pdf.json["file"]["content_type"] == "image/png"
    assert png_named_pdf.json["file"]["name"] == "report.pdf.png"
    pdf_named_png = upload(client, cid, token, PDF, "cat.png", "image/png")
    assert pdf_named_png.json["file"]["content_type"] == "application/pdf"
    assert pdf_named_png.json["file"]["kind"] == "file"


def test_html_is_refused_and_text_named_html_downloads_as_text(client, chat):
    cid, token = chat
    page = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
    refused = upload(client, cid, token, page, "cute.png", "image/png")
    assert refused.status_code == 400 and refused.json["error"]["code"] == "invalid"
    assert "text/html" in refused.json["error"]["message"]

    text = upload(client, cid, token, b"hello <b>there</b>", "page.html", "text/html")
    file = text.json["file"]
    assert file["content_type"] == "text/plain" and file["name"] == "page.html.txt"
    response = client.get(file["url"], headers=bearer(token))
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == "text/plain"


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize("app", [{"CHAT_FILE_TYPES": ["image/*"]}], indirect=True)
def test_an_allowed_svg_is_still_only_a_download(client, chat):
    cid, token = chat
    response = upload(client, cid, token, SVG, "logo.svg", "image/svg+xml")
    assert response.status_code == 201, response.json
    file = response.json["file"]
    assert file["content_type"] == "image/svg+xml" and file["kind"] == "file"
    served = client.get(file["url"], headers=bearer(token))
    assert served.headers["Content-Disposition"].startswith("attachment;")
    assert client.get(f"{file['url']}/thumbnail", headers=bearer(token)).status_code == 404


def test_a_thumbnail_carries_no_metadata(client, chat):
    cid, token = chat
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPSInfo: a latitude
    original = image_bytes("JPEG", (800, 600), exif=exif.tobytes())
    file = upload(client, cid, token, original, "me.jpg", "image/jpeg").json["file"]
    thumb = client.get(file["thumbnail_url"], headers=bearer(token)).data
    assert b"SecretCam" not in thumb
    with Image.open(io.BytesIO(thumb)) as small:
        assert not small.getexif() and "exif" not in small.info


def test_a_file_name_loses_folders_and_control_characters(client, chat):
    cid, token = chat
    response = upload(client, cid, token, PDF, "..\\..\\etc/pass\x00wd\u202e.pdf", "x/y")
    assert response.json["file"]["name"] == "passwd.pdf"


# --- limits -------------------------------------------------------------------------------


@pytest.mark.parametrize("app", [{"CHAT_MAX_FILE_BYTES": 1000}], indirect=True)
def test_a_file_over_the_size_limit_is_too_large(client, chat):
    cid, token = chat
    assert upload(client, cid, token, b"a" * 1000, "ok.txt", "text/plain").status_code == 201
    response = upload(client, cid, token, b"a" * 1001, "big.txt", "text/plain")
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"
    huge = upload(client, cid, token, b"a" * 100_000, "huge.txt", "text/plain")
    assert huge.status_code == 413 and "1,000 bytes" in huge.json["error"]["message"]


@pytest.mark.parametrize("app", [{"CHAT_MAX_CONVERSATION_FILE_BYTES": 2500}], indirect=True)
def test_a_conversations_files_have_a_total_limit(client, chat, new_visitor):
    cid, token = chat
    for _ in range(2):
        assert upload(client, cid, token, b"a" * 1000, "ok.txt").status_code == 201
    refused = upload(client, cid, token, b"a" * 501, "one-too-many.txt")
    assert refused.status_code == 413 and "2,500 bytes" in refused.json["error"]["message"]
    assert upload(client, cid, token, b"a" * 500, "just-fits.txt").status_code == 201
    other_cid, other_token = new_visitor()
    assert upload(client, other_cid, other_token, b"a" * 1000, "other.txt").status_code == 201


def test_an_empty_file_or_no_file_is_invalid(client, chat):
    cid, token = chat
    assert upload(client, cid, token, b"", "empty.txt").status_code == 400
    no_field = client.post(
        f"/api/v1/conversations/{cid}/files", data={"other": "x"}, headers=bearer(token)
    )
    assert no_field.status_code == 400 and no_field.json["error"]["code"] == "invalid"


@pytest.mark.parametrize("app", [{"CHAT_MAX_IMAGE_PIXELS": 10_000}], indirect=True)
def test_an_image_over_the_pixel_limit_is_refused_before_decoding(client, chat):
    cid, token = chat
    assert upload(client, cid, token, image_bytes(size=(100, 100))).status_code == 201
    response = upload(client, cid, token, image_bytes(size=(101, 100)))
    assert response.status_code == 413 and "pixels" in response.json["error"]["message"]


def test_a_decompression_bomb_is_refused(client, chat):
    """20,000 x 20,000 pixels in a few hundred kilobytes of PNG."""
    cid, token = chat
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")
    response = upload(client, cid, token, out.getvalue(), "bomb.png")
    assert response.status_code == 413


def test_a_broken_image_is_invalid(client, chat):
    cid, token = chat
    broken = image_bytes("JPEG", (400, 400))[:300]
    response = upload(client, cid, token, broken, "broken.jpg", "image/jpeg")
    assert response.status_code == 400 and "cannot be read" in response.json["error"]["message"]


@pytest.mark.parametrize("app", [{"CHAT_FILE_TYPES": ["application/pdf"]}], indirect=True)
def test_only_the_configured_types_are_accepted(client, chat):
    cid, token = chat
    assert upload(client, cid, token, PDF, "a.pdf").status_code == 201
    refused = upload(client, cid, token, image_bytes(), "a.png")
    assert refused.status_code == 400 and "image/png" in refused.json["error"]["message"]
    exe = upload(client, cid, token, b"MZ" + bytes(200), "setup.exe", "application/pdf")
    assert exe.status_code == 400


@pytest.mark.parametrize("app", [{"CHAT_UPLOAD_RATE": "2 per minute"}], indirect=True)
def test_uploads_are_rate_limited(client, chat):
    cid, token = chat
    assert upload(client, cid, token, PDF).status_code == 201
    assert upload(client, cid, token, PDF).status_code == 201
    response = upload(client, cid, token, PDF)
    assert response.status_code == 429 and response.json["error"]["code"] == "rate_limited"


def test_admins_can_stop_visitors_sending_files(client, chat, agent, agent_token):
    cid, token = chat
    agent.role = "admin"
    db.session.commit()
    changed = client.patch(
        "/api/v1/settings", json={"visitor_files": False}, headers=bearer(agent_token)
    )
    assert changed.status_code == 200, changed.json
    refused = upload(client, cid, token, PDF)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
    assert upload(client, cid, agent_token, PDF).status_code == 201


def test_an_ended_chat_takes_no_files(client, chat, agent_token):
    cid, token = chat
    assert client.post(f"/api/v1/conversations/{cid}/end", headers=bearer(token)).status_code == 204
    response = upload(client, cid, agent_token, PDF)
    assert response.status_code == 409 and response.json["error"]["code"] == "conflict"


# --- who may read and send ----------------------------------------------------------------


def test_another_visitor_or_nobody_cannot_fetch_a_file(client, chat, new_visitor):
    cid, token = chat
    file = upload(client, cid, token, image_bytes()).json["file"]
    _, stranger = new_visitor()
    for url in (file["url"], file["thumbnail_url"]):
        assert client.get(url, headers=bearer(stranger)).status_code == 404
        assert client.get(url).status_code == 401
        assert client.get(url, headers=bearer("forged-token-" + "x" * 30)).status_code == 401
        assert client.get(url, headers=bearer(token)).status_code == 200
    assert client.get("/api/v1/files/nosuchfile", headers=bearer(token)).status_code == 404
    assert client.get("/api/v1/files/" + "a" * 200, headers=bearer(token)).status_code == 404


def test_a_visitor_cannot_upload_to_another_conversation(client, chat, new_visitor):
    cid, _ = chat
    _, stranger = new_visitor()
    response = upload(client, cid, stranger, PDF)
    assert response.status_code == 404
    assert upload(client, cid, None, PDF).status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0


def test_a_file_cannot_be_sent_in_another_conversation_or_by_the_other_side(
    client, chat, new_visitor, connect, agent_token
):
    cid, token = chat
    other_cid, other_token = new_visitor()
    visitors_file = upload(client, cid, token, PDF).json["file"]["id"]
    agents_file = upload(client, cid, agent_token, PDF).json["file"]["id"]
    stranger = connect(visitor_token=other_token)
    ack = stranger.emit("send_message", {"client_id": "s", "file_id": visitors_file}, callback=True)
    assert ack["error"]["code"] == "not_found"
    agent = connect(token=agent_token)
    ack = agent.emit(
        "send_message",
        {"conversation_id": other_cid, "client_id": "a", "file_id": agents_file},
        callback=True,
    )
    assert ack["error"]["code"] == "not_found"
    visitor = connect(visitor_token=token)
    ack = visitor.emit("send_message", {"client_id": "v", "file_id": agents_file}, callback=True)
    assert ack["error"]["code"] == "not_found"


def test_the_inbox_cookie_reads_files_only_from_the_chats_own_pages(client, chat, agent):
    cid, token = chat
    file = upload(client, cid, token, image_bytes()).json["file"]
    client.post("/login", data={"email": AGENT_EMAIL, "password": AGENT_PASSWORD})
    assert client.get(file["url"], headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200
    for site in ("same-site", "cross-site"):
        response = client.get(file["url"], headers={"Sec-Fetch-Site": site})
        assert response.status_code == 401
    from_elsewhere = client.get(file["url"], headers={"Origin": "https://evil.example"})
    assert from_elsewhere.status_code == 401


# --- storage and deletion -----------------------------------------------------------------


def test_deleting_a_conversation_deletes_its_files(app, client, chat, new_visitor, agent_token):
    cid, token = chat
    kept_cid, kept_token = new_visitor()
    gone = upload(client, cid, token, image_bytes()).json["file"]
    kept = upload(client, kept_cid, kept_token, PDF).json["file"]
    folder = os.path.join(app.config["CHAT_FILE_DIR"], str(cid))
    assert sorted(os.listdir(folder)) == sorted([gone["id"], f"{gone['id']}.thumb"])

    response = client.delete(f"/api/v1/conversations/{cid}", headers=bearer(agent_token))
    assert response.status_code == 204
    assert not os.path.exists(folder)
    assert client.get(gone["url"], headers=bearer(agent_token)).status_code == 404
    assert db.session.get(StoredFile, gone["id"]) is None
    assert client.get(kept["url"], headers=bearer(kept_token)).data == PDF


@pytest.mark.parametrize("app", [{"CHAT_FILE_STORAGE": "database"}], indirect=True)
def test_the_database_store_keeps_bytes_in_a_table_and_deletes_them(app, client, chat, agent_token):
    cid, token = chat
    file = upload(client, cid, token, image_bytes()).json["file"]
    assert not os.path.exists(app.config["CHAT_FILE_DIR"])
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FileBlob)) == 2
    assert client.get(file["url"], headers=bearer(token)).data == image_bytes()
    assert client.get(file["thumbnail_url"], headers=bearer(token)).mimetype == "image/webp"

    client.delete(f"/api/v1/conversations/{cid}", headers=bearer(agent_token))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FileBlob)) == 0


# --- sweeping -----------------------------------------------------------------------------


def test_files_never_sent_are_swept_after_a_while(app, client, chat, connect):
    cid, token = chat
    sent = upload(client, cid, token, image_bytes()).json["file"]
    unsent = upload(client, cid, token, image_bytes()).json["file"]
    fresh = upload(client, cid, token, PDF).json["file"]
    visitor = connect(visitor_token=token)
    ack = visitor.emit("send_message", {"client_id": "s", "file_id": sent["id"]}, callback=True)
    assert ack["ok"]
    db.session.rollback()
    db.session.execute(
        sa.update(StoredFile)
        .where(StoredFile.id.in_([sent["id"], unsent["id"]]))
        .values(created_at=utcnow() - timedelta(hours=25))
    )
    db.session.commit()

    assert files.sweep(unsent_hours=24) == 1
    assert client.get(unsent["url"], headers=bearer(token)).status_code == 404
    folder = os.path.join(app.config["CHAT_FILE_DIR"], str(cid))
    assert unsent["id"] not in os.listdir(folder)
    assert client.get(sent["url"], headers=bearer(token)).status_code == 200
    assert client.get(fresh["url"], headers=bearer(token)).status_code == 200


def test_bytes_of_a_conversation_deleted_by_any_path_are_swept(app, client, chat, new_visitor):
    """Deleted with SQL alone (as a bulk retention job might): the rows go by
    cascade, the folder at the next sweep."""
    cid, token = chat
    kept_cid, kept_token = new_visitor()
    upload(client, cid, token, PDF)
    kept = upload(client, kept_cid, kept_token, PDF).json["file"]
    db.session.execute(sa.delete(Conversation).where(Conversation.id == cid))
    db.session.commit()
    assert os.path.exists(os.path.join(app.config["CHAT_FILE_DIR"], str(cid)))

    assert files.sweep(unsent_hours=24) == 1
    assert not os.path.exists(os.path.join(app.config["CHAT_FILE_DIR"], str(cid)))
    assert client.get(kept["url"], headers=bearer(kept_token)).data == PDF
