"""Any bytes under any name, and any file_id in send_message: each gets a
4xx with a code or a stored file, never a 5xx or ``internal``; what is
stored comes back byte for byte under a clean name."""

import io
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.message_bodies import EMOJI

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# The starts of what the sniffers know, so that fuzzed content reaches them.
MAGIC = [
    b"",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    b"GIF89a",
    b"RIFF\x00\x00\x00\x00WEBP",
    b"%PDF-1.4\n",
    b"PK\x03\x04",
    b"<svg ",
    b"<!DOCTYPE html>",
    b"MZ",
]


def contents():
    tails = st.binary(max_size=400)
    return st.builds(lambda head, tail: head + tail, st.sampled_from(MAGIC), tails)


def names():
    return st.one_of(
        st.text(max_size=300),
        st.sampled_from(["", ".", "..", "../../x.pdf", "a\\b.png", f"{EMOJI}.txt", "a" * 400]),
    )


@pytest.fixture
def chat(app, new_visitor, connect):
    app.config.update(CHAT_UPLOAD_RATE="1000000 per second", CHAT_MESSAGE_RATE="1000000 per second")
    cid, token = new_visitor()
    return cid, token, connect(visitor_token=token)


@FUZZ
@given(data=contents(), name=names())
def test_any_upload_is_stored_whole_or_refused_with_a_code(client, chat, data, name):
    cid, token, _ = chat
    auth = {"Authorization": f"Bearer {token}"}
    response = client.post(
        f"/api/v1/conversations/{cid}/files",
        data={"file": (io.BytesIO(data), name)},
        headers=auth,
    )
    assert response.status_code in (201, 400, 413), response.get_data()
    if response.status_code != 201:
        assert response.json["error"]["code"] in ("invalid", "too_large")
        return
    file = response.json["file"]
    assert 1 <= len(file["name"]) <= 255 and "/" not in file["name"] and "\\" not in file["name"]
    assert not any(unicodedata.category(ch)[0] == "C" for ch in file["name"])
    served = client.get(file["url"], headers=auth)
    assert served.status_code == 200 and served.data == data
    if file["kind"] != "image":
        assert served.headers["Content-Disposition"].startswith("attachment")


@FUZZ
@given(
    file_id=st.one_of(st.none(), st.text(max_size=40), st.integers(), st.booleans()),
    body=st.one_of(st.none(), st.text(max_size=20), st.integers()),
)
def test_any_file_id_in_send_message_is_answered_with_a_code(chat, file_id, body):
    _, _, visitor = chat
    payload = {"client_id": "x", "file_id": file_id, "body": body}
    ack = visitor.emit("send_message", payload, callback=True)
    if ack["ok"]:
        assert file_id is None and isinstance(body, str)
    else:
        assert ack["error"]["code"] in ("invalid", "not_found", "too_large"), ack
