"""The S3 store (CHAT_FILE_STORAGE=s3), against a real S3-compatible HTTP
server on a loopback port (moto's server), through boto3."""

import io

import boto3
import pytest
import sqlalchemy as sa
from moto.server import ThreadedMotoServer

from app import db
from app.models import Conversation
from app.realtime import background
from app.services import files
from tests.conftest import empty_database
from tests.harness.ports import free_port

BUCKET = "chat-files"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def s3_url():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_url, monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "chat",
        "AWS_SECRET_ACCESS_KEY": "chat-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    s3 = boto3.client("s3", endpoint_url=s3_url)
    s3.create_bucket(Bucket=BUCKET)
    yield s3
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)
    s3.close()


@pytest.fixture
def app(app_factory, bucket, s3_url):
    app = app_factory(
        CHAT_FILE_STORAGE="s3",
        CHAT_S3_BUCKET=BUCKET,
        CHAT_S3_ENDPOINT_URL=s3_url,
        CHAT_S3_PREFIX="files/",
    )
    with app.app_context():
        db.create_all()
        yield app
        background.stop(app)
        db.session.remove()
        empty_database()
        db.engine.dispose()
        app.extensions["chat_s3_client"].close()


def keys(s3) -> list[str]:
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def upload(client, cid, token, data, name):
    response = client.post(
        f"/api/v1/conversations/{cid}/files",
        data={"file": (io.BytesIO(data), name)},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.json
    return response.json["file"]


def image() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (600, 300), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def test_files_go_to_the_bucket_and_come_back(client, new_visitor, bucket):
    cid, token = new_visitor()
    photo = upload(client, cid, token, image(), "photo.png")
    stored = f"files/{cid}/{photo['id']}"
    assert keys(bucket) == [stored, f"{stored}.thumb"]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(photo["url"], headers=auth).data == image()
    assert client.get(photo["thumbnail_url"], headers=auth).mimetype == "image/webp"


def test_deleting_a_conversation_deletes_its_objects(client, new_visitor, agent_token, bucket):
    cid, token = new_visitor()
    kept_cid, kept_token = new_visitor()
    upload(client, cid, token, image(), "photo.png")
    upload(client, cid, token, PDF, "a.pdf")
    kept = upload(client, kept_cid, kept_token, PDF, "kept.pdf")
    response = client.delete(
        f"/api/v1/conversations/{cid}", headers={"Authorization": f"Bearer {agent_token}"}
    )
    assert response.status_code == 204
    assert keys(bucket) == [f"files/{kept_cid}/{kept['id']}"]


def test_the_sweep_drops_objects_of_a_conversation_deleted_by_sql(client, new_visitor, bucket):
    cid, token = new_visitor()
    kept_cid, kept_token = new_visitor()
    upload(client, cid, token, PDF, "a.pdf")
    kept = upload(client, kept_cid, kept_token, PDF, "kept.pdf")
    db.session.execute(sa.delete(Conversation).where(Conversation.id == cid))
    db.session.commit()
    assert files.sweep(unsent_hours=24) == 1
    assert keys(bucket) == [f"files/{kept_cid}/{kept['id']}"]
