"""Files in chats over HTTP: uploaded to a conversation, then sent as a
message's ``file_id``; fetched only by that conversation's visitor and agents."""

import io

from flask import current_app, request, send_file
from werkzeug.exceptions import RequestEntityTooLarge

from app import limiter
from app.api import bp
from app.api import responses as answers
from app.api.auth import caller
from app.api.description import described
from app.errors import ChatError
from app.realtime import payloads
from app.schemas import FileUpload
from app.services import files
from app.services.access import Identity

# What a browser may do with a file it was sent: nothing but show it.
FILE_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
# Room for the multipart envelope around the file itself.
MULTIPART_OVERHEAD = 16 * 1024


def upload_rate() -> str:
    return current_app.config["CHAT_UPLOAD_RATE"]


@bp.route("/conversations/<int(max=2147483647):conversation_id>/files", methods=["POST"])
@described(
    tag="files",
    auth="visitor_or_agent",
    body=FileUpload,
    body_media="multipart/form-data",
    answers={201: answers.FileAnswer},
    errors=("forbidden", "not_found", "conflict", "rate_limited"),
)
@limiter.limit(upload_rate)
def upload_file(conversation_id: int):
    """Upload a file to a conversation (its visitor, or an agent).

    Body: ``multipart/form-data`` with the file in the field ``file``.
    Answers ``201 {file}``; send it with ``send_message {client_id,
    file_id}``. ``413 too_large`` beyond ``CHAT_MAX_FILE_BYTES`` (or an image
    beyond ``CHAT_MAX_IMAGE_PIXELS``), ``400 invalid`` for an empty file or a
    type not in ``CHAT_FILE_TYPES``.
    """
    identity = caller()
    if not identity.is_agent and identity.conversation_id != conversation_id:
        raise ChatError("not_found", "no such conversation")
    upload = _uploaded_file()
    stored = files.upload(conversation_id, identity.role, upload.filename or "", upload.read())
    return {"file": payloads.file(files.described(stored))}, 201


def _uploaded_file():
    limit = current_app.config["CHAT_MAX_FILE_BYTES"]
    request.max_content_length = limit + MULTIPART_OVERHEAD
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        raise ChatError("too_large", f"the file is larger than {limit:,} bytes") from None
    if upload is None:
        raise ChatError("invalid", "send the file as multipart/form-data in the field 'file'")
    return upload


FILE_HEADERS = {
    "Content-Disposition": "`inline` for an image, `attachment` for anything else",
    "X-Content-Type-Options": "`nosniff`",
    "Content-Security-Policy": FILE_CSP,
}


@bp.route("/files/<file_id>", methods=["GET"])
@described(
    tag="files",
    auth="visitor_or_agent",
    answers={200: None},
    media={200: "application/octet-stream"},
    headers={200: FILE_HEADERS},
    errors=("not_found",),
)
def download_file(file_id: str):
    """The file, for that conversation's visitor and agents (others: 404).

    Images (PNG, JPEG, GIF, WebP) are served inline; anything else, SVG and
    HTML among them, as a download (``Content-Disposition: attachment``).
    """
    return _serve(file_id, thumbnail=False)


@bp.route("/files/<file_id>/thumbnail", methods=["GET"])
@described(
    tag="files",
    auth="visitor_or_agent",
    answers={200: None},
    media={200: "image/webp"},
    headers={200: FILE_HEADERS},
    errors=("not_found",),
)
def file_thumbnail(file_id: str):
    """An image's thumbnail (WebP, at most 480 pixels a side, no metadata)."""
    return _serve(file_id, thumbnail=True)


def _serve(file_id: str, thumbnail: bool):
    identity = _reader()
    stored = files.readable(file_id, None if identity.is_agent else identity.conversation_id)
    data = files.content(stored, thumbnail=thumbnail)
    inline = thumbnail or files.is_inline_image(stored)
    response = send_file(
        io.BytesIO(data),
        mimetype="image/webp" if thumbnail else stored.content_type,
        as_attachment=not inline,
        download_name=stored.name,
        max_age=3600,
        etag=f"{stored.id}{'-thumb' if thumbnail else ''}",
    )
    # The bytes are in memory already: let after-request hooks read them.
    response.direct_passthrough = False
    response.cache_control.private = True
    response.cache_control.public = False
    headers = response.headers
    headers["Content-Security-Policy"] = FILE_CSP
    headers["X-Content-Type-Options"] = "nosniff"
    # Other sites may not embed it (the widget reads it by CORS, with its token).
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _reader() -> Identity:
    """Who fetches a file. The inbox's cookie counts only for the chat's own
    pages: a request another site started (even a same-site one, which
    browsers send the cookie with) is refused."""
    identity = caller()
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if identity.login_id is not None and fetched_from in ("cross-site", "same-site"):
        raise ChatError("unauthorized", "the session cookie counts only on the chat's pages")
    return identity
