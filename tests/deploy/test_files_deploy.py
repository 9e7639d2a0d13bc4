"""A file through the documented nginx: a visitor uploads several
megabytes on one process, an agent reads it through the other, with the
headers that keep it a download."""

import base64
import json
import uuid

from tests.deploy.conftest import DEPLOY_TESTS
from tests.harness.credentials import AGENT_EMAIL, AGENT_PASSWORD

pytestmark = DEPLOY_TESTS

SIZE = 3 * 1024 * 1024  # over nginx's default client_max_body_size (1 MiB)


def multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_large_file_goes_through_nginx_to_the_other_process(deployed):
    status, _, body = deployed.request(deployed.url, "POST", "/api/v1/conversations")
    assert status == 201, body
    visitor = json.loads(body)
    status, _, body = deployed.request(
        deployed.url,
        "POST",
        "/api/v1/tokens",
        headers={"Authorization": "Basic " + basic_credentials()},
    )
    agent_token = json.loads(body)["token"]

    data = b"log line\n" * (SIZE // 9)
    form, content_type = multipart("server.log", data)
    status, _, body = deployed.request(
        deployed.url,
        "POST",
        f"/api/v1/conversations/{visitor['conversation_id']}/files",
        headers={
            "Content-Type": content_type,
            "Authorization": f"Bearer {visitor['visitor_token']}",
        },
        body=form,
    )
    assert status == 201, body
    file = json.loads(body)["file"]
    assert file["size"] == len(data) and file["content_type"] == "text/plain"

    uploaded_on = deployed.process_for(deployed.url)
    other = next(p for p in deployed.processes if p is not uploaded_on)
    status, headers, body = deployed.request(
        deployed.nginx.pinned_url(other.port),
        "GET",
        file["url"],
        headers={"Authorization": f"Bearer {agent_token}"},
    )
    assert status == 200 and body.encode() == data
    assert headers["Content-Disposition"].startswith("attachment;")
    assert headers["X-Content-Type-Options"] == "nosniff"


def basic_credentials() -> str:
    return base64.b64encode(f"{AGENT_EMAIL}:{AGENT_PASSWORD}".encode()).decode()
