"""Where the bytes of files are kept, chosen by ``CHAT_FILE_STORAGE``.

Every store keeps a blob under a key ``"<conversation_id>/<name>"`` and can
drop all the blobs of a conversation at once, which is how deleting a
conversation deletes its files.

- ``local`` (the default): a folder (``CHAT_FILE_DIR``, or ``files`` in the
  instance folder). For one machine, or several sharing the folder (NFS).
- ``database``: rows of ``file_blobs``, in the caller's transaction; every
  process on every machine reads them, and the database's own cascade
  deletes them with their conversation.
- ``s3``: objects in a bucket of Amazon S3 or any S3-compatible store
  (MinIO, Ceph, R2...; ``CHAT_S3_BUCKET``, ``CHAT_S3_ENDPOINT_URL``,
  ``CHAT_S3_PREFIX``; credentials as boto3 finds them, e.g.
  ``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY``).
"""

import os
import shutil
import tempfile

import sqlalchemy as sa
from flask import current_app

from app import db
from app.models import FileBlob


def blob_key(conversation_id: int, name: str) -> str:
    return f"{conversation_id}/{name}"


class LocalStore:
    """Blobs as files in one folder per conversation."""

    def __init__(self, root: str):
        self.root = root

    def _path(self, key: str) -> str:
        conversation, _, name = key.partition("/")
        # Keys are built by the server from an int and a random id; this is
        # a second line of defence against a path that leaves the folder.
        if not conversation.isdigit() or not name or "/" in name or name.startswith("."):
            raise ValueError(f"not a blob key: {key!r}")
        return os.path.join(self.root, conversation, name)

    def put(self, key: str, data: bytes) -> None:
        """Write the blob whole or not at all (a temporary file, renamed)."""
        path = self._path(key)
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise

    def get(self, key: str) -> bytes | None:
        try:
            with open(self._path(key), "rb") as stored:
                return stored.read()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        try:
            os.unlink(self._path(key))
        except FileNotFoundError:
            pass

    def delete_conversation(self, conversation_id: int) -> None:
        shutil.rmtree(os.path.join(self.root, str(int(conversation_id))), ignore_errors=True)

    def conversation_ids(self) -> set[int]:
        """The conversations that have a folder here."""
        try:
            names = os.listdir(self.root)
        except FileNotFoundError:
            return set()
        return {int(name) for name in names if name.isdigit()}


class DatabaseStore:
    """Blobs as rows of ``file_blobs``, in the caller's transaction."""

    def put(self, key: str, data: bytes) -> None:
        conversation_id = int(key.partition("/")[0])
        db.session.add(FileBlob(key=key, conversation_id=conversation_id, data=data))

    def get(self, key: str) -> bytes | None:
        return db.session.scalar(sa.select(FileBlob.data).where(FileBlob.key == key))

    def delete(self, key: str) -> None:
        db.session.execute(sa.delete(FileBlob).where(FileBlob.key == key))

    def conversation_ids(self) -> set[int]:
        """None to sweep: the rows go with their conversation (a cascade)."""
        return set()

    def delete_conversation(self, conversation_id: int) -> None:
        # The rows go with the conversation (ON DELETE CASCADE); this also
        # covers a database that does not enforce foreign keys.
        db.session.execute(sa.delete(FileBlob).where(FileBlob.conversation_id == conversation_id))
        db.session.commit()


class S3Store:
    """Blobs as objects of an S3 bucket, under ``prefix``."""

    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)

    def get(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)
        except self.client.exceptions.NoSuchKey:
            return None
        with answer["Body"] as body:
            return body.read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)

    def delete_conversation(self, conversation_id: int) -> None:
        folder = f"{self.prefix}{int(conversation_id)}/"
        for page in self._pages(Prefix=folder):
            objects = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if objects:  # at most 1,000 a page, as delete_objects takes
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": objects})

    def conversation_ids(self) -> set[int]:
        """The conversations that have objects here."""
        ids = set()
        for page in self._pages(Prefix=self.prefix, Delimiter="/"):
            for folder in page.get("CommonPrefixes", []):
                name = folder["Prefix"][len(self.prefix) :].rstrip("/")
                if name.isdigit():
                    ids.add(int(name))
        return ids

    def _pages(self, **query):
        return self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, **query)


def _s3_client(app):
    """One boto3 client per app (they are thread-safe), made on first use."""
    client = app.extensions.get("chat_s3_client")
    if client is None:
        import boto3  # only deployments that choose S3 load it

        client = boto3.client(
            "s3",
            endpoint_url=app.config["CHAT_S3_ENDPOINT_URL"],
            region_name=app.config["CHAT_S3_REGION"],
        )
        app.extensions["chat_s3_client"] = client
    return client


def store() -> LocalStore | DatabaseStore | S3Store:
    """The store the configuration names."""
    kind = current_app.config["CHAT_FILE_STORAGE"]
    if kind == "database":
        return DatabaseStore()
    if kind == "s3":
        app = current_app._get_current_object()
        return S3Store(_s3_client(app), app.config["CHAT_S3_BUCKET"], app.config["CHAT_S3_PREFIX"])
    if kind == "local":
        root = current_app.config.get("CHAT_FILE_DIR") or os.path.join(
            current_app.instance_path, "files"
        )
        return LocalStore(root)
    raise RuntimeError(f"CHAT_FILE_STORAGE must be 'local', 'database' or 's3', not {kind!r}")
