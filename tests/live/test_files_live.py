"""Files with two server processes, each with a folder of its own (as two
machines would have): with the database store a file uploaded through one
is read through the other, and a visitor sends it over the wire."""

from contextlib import contextmanager

import pytest
import socketio

from tests.harness.api import ChatApi, expect_status
from tests.harness.logs import show_log_on_failure
from tests.harness.server import ServerProcess
from tests.live.conftest import SERVER_ENV

pytestmark = pytest.mark.live

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@contextmanager
def two_machines(tmp_path_factory, storage: str):
    env = {**SERVER_ENV, "CHAT_FILE_STORAGE": storage}
    first = ServerProcess(tmp_path_factory.mktemp(f"{storage}-a"), env=env)
    second = ServerProcess(
        tmp_path_factory.mktemp(f"{storage}-b"), env=env, database_url=first.database_url
    )
    try:
        first.prepare().start()
        second.start()
        with ChatApi(first.url) as a, ChatApi(second.url) as b:
            yield first, second, a, b
    finally:
        for process in (first, second):
            process.stop()
    for process in (first, second):
        process.assert_clean_log()


def upload(api: ChatApi, conversation_id: int, token: str) -> dict:
    response = api.http.post(
        f"{api.url}/api/v1/conversations/{conversation_id}/files",
        files={"file": ("invoice.pdf", PDF, "application/pdf")},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    return expect_status(response, 201).json()["file"]


@pytest.fixture(scope="module")
def database_machines(tmp_path_factory):
    with two_machines(tmp_path_factory, "database") as machines:
        yield machines


@pytest.mark.parametrize("transport", ["polling", "websocket"])
def test_a_file_uploaded_on_one_process_is_sent_and_read_on_the_other(
    request, database_machines, transport
):
    first, second, a, b = database_machines
    for process in (first, second):
        show_log_on_failure(request.node, process)
    visitor = a.new_conversation(name="Ana")
    file = upload(a, visitor.conversation_id, visitor.token)

    client = socketio.Client(reconnection=False)
    client.connect(b.url, auth={"visitor_token": visitor.token}, transports=[transport])
    try:
        ack = client.call("send_message", {"client_id": "f1", "file_id": file["id"]})
    finally:
        client.disconnect()
    assert ack["ok"], ack
    assert ack["message"]["body"] == "invoice.pdf" and ack["message"]["file"] == file

    download = b.api("GET", file["url"].removeprefix("/api/v1"))
    assert expect_status(download, 200).content == PDF
    (stored,) = a.stored(visitor.conversation_id)
    assert stored["file"]["id"] == file["id"]


def test_the_local_store_needs_a_folder_both_processes_share(tmp_path_factory):
    """Why the database (or S3) store is for several machines: a folder of
    one machine's own is not seen by the other."""
    with two_machines(tmp_path_factory, "local") as (_first, _second, a, b):
        visitor = a.new_conversation()
        file = upload(a, visitor.conversation_id, visitor.token)
        path = file["url"].removeprefix("/api/v1")
        assert expect_status(a.api("GET", path), 200).content == PDF
        gone = b.api("GET", path)
        assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
