"""Files in chats: accepted once their content says what they are.

The type of an upload is sniffed from its bytes (Pillow for images,
puremagic for the rest), never taken from the client's name or header; it
must be one of ``CHAT_FILE_TYPES``. Images are decoded only after their
size in pixels passed ``CHAT_MAX_IMAGE_PIXELS`` (no decompression bombs)
and get a thumbnail without any of the original's metadata. A file belongs
to one conversation and is sent, as a message's ``file``, by the side that
uploaded it.
"""

import fnmatch
import io
import mimetypes
import secrets
import unicodedata
import warnings
from datetime import timedelta

import puremagic
import sqlalchemy as sa
from flask import current_app
from PIL import Image, ImageOps

from app import db
from app.blocking import run_in_thread
from app.clock import utcnow
from app.errors import ChatError
from app.models import Conversation, StoredFile
from app.services import file_store, settings
from app.services.conversations import refuse_unless_open

# Images shown inline (with a thumbnail): formats every browser decodes.
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
THUMBNAIL_PIXELS = 480  # the longer side of a thumbnail
MAX_NAME_CHARS = 255


def upload(conversation_id: int, uploader: str, filename: str, data: bytes) -> StoredFile:
    """Check, store and record an uploaded file; commits."""
    if uploader == "visitor" and not settings.get("visitor_files", True):
        raise ChatError("forbidden", "visitors may not send files here")
    refuse_unless_open(conversation_id)
    _check_size(len(data))
    _check_room(conversation_id, len(data))
    # Decoding an image is CPU work: off the event loop.
    image = run_in_thread(_image_of, data, current_app.config["CHAT_MAX_IMAGE_PIXELS"])
    content_type = image.mime if image else _sniffed_type(data)
    if image is None and content_type in IMAGE_FORMATS.values():
        raise ChatError("invalid", "the image cannot be read")
    _check_type(content_type)
    stored = StoredFile(
        id=secrets.token_urlsafe(16),
        conversation_id=conversation_id,
        uploader=uploader,
        name=safe_name(filename, content_type),
        content_type=content_type,
        size=len(data),
        width=image.width if image else None,
        height=image.height if image else None,
        has_thumbnail=image is not None,
    )
    store = file_store.store()
    store.put(file_store.blob_key(conversation_id, stored.id), data)
    if image:
        store.put(file_store.blob_key(conversation_id, f"{stored.id}.thumb"), image.thumbnail)
    db.session.add(stored)
    db.session.commit()
    return stored


def _check_size(size: int) -> None:
    limit = current_app.config["CHAT_MAX_FILE_BYTES"]
    if size == 0:
        raise ChatError("invalid", "the file is empty")
    if size > limit:
        raise ChatError("too_large", f"the file is larger than {limit:,} bytes")


def _check_room(conversation_id: int, size: int) -> None:
    """A conversation holds at most CHAT_MAX_CONVERSATION_FILE_BYTES of files."""
    limit = current_app.config["CHAT_MAX_CONVERSATION_FILE_BYTES"]
    held = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(StoredFile.size), 0)).where(
            StoredFile.conversation_id == conversation_id
        )
    )
    if held + size > limit:
        raise ChatError("too_large", f"this conversation's files may total {limit:,} bytes")


def _check_type(content_type: str) -> None:
    allowed = current_app.config["CHAT_FILE_TYPES"]
    if not any(fnmatch.fnmatchcase(content_type, pattern) for pattern in allowed):
        raise ChatError("invalid", f"files of type {content_type} are not accepted")


def _sniffed_type(data: bytes) -> str:
    """The type the content shows; plain text when it is UTF-8 without
    magic; ``application/octet-stream`` when nothing is known."""
    try:
        found = puremagic.from_string(data, mime=True)
    except (puremagic.PureError, ValueError):
        found = ""
    if found:
        return found
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain" if "\x00" not in text else "application/octet-stream"


class _Image:
    def __init__(self, mime: str, width: int, height: int, thumbnail: bytes):
        self.mime, self.width, self.height, self.thumbnail = mime, width, height, thumbnail


def _image_of(data: bytes, limit: int) -> _Image | None:
    """The image in ``data`` with its thumbnail, or None when it is no image
    a browser shows. Its size is checked against ``limit`` pixels before
    any pixel is decoded."""
    too_large = ChatError("too_large", f"the image is larger than {limit:,} pixels")
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check warns; the size is checked below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise too_large from None
    except (Image.UnidentifiedImageError, OSError, ValueError):
        return None
    with opened as image:
        if image.format not in IMAGE_FORMATS:
            return None
        width, height = image.size
        if width * height > limit:
            raise too_large
        try:
            thumbnail = _thumbnail(image)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            raise ChatError("invalid", "the image cannot be read") from exc
        return _Image(IMAGE_FORMATS[image.format], width, height, thumbnail)


def _thumbnail(image: Image.Image) -> bytes:
    """A small WebP of the (first frame of the) image, turned upright as its
    EXIF says, and carrying no metadata (no place, camera or time)."""
    # A JPEG decodes at 1/2, 1/4 or 1/8 of its size when that is enough:
    # a 12-megapixel photo then takes tens of milliseconds, not a second.
    image.draft(None, (THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
    image.load()
    upright = ImageOps.exif_transpose(image)
    mode = "RGBA" if "A" in upright.getbands() or upright.mode == "P" else "RGB"
    small = upright.convert(mode)
    small.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
    clean = Image.new(mode, small.size)
    clean.paste(small)
    out = io.BytesIO()
    clean.save(out, "WEBP", quality=80)
    return out.getvalue()


def safe_name(filename: str, content_type: str) -> str:
    """A file name to show and to save as: no folders, no control
    characters, at most 255 characters, and an extension that fits the
    sniffed type (a text file named ``x.html`` is saved as ``x.html.txt``,
    so that opening the download never runs it as a page)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    name = name or "file"
    extensions = mimetypes.guess_all_extensions(content_type, strict=False)
    if extensions and not any(name.lower().endswith(ext) for ext in extensions):
        name = f"{name}{_preferred_extension(content_type, extensions)}"
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        keep = MAX_NAME_CHARS - len(ext) - 1
        name = f"{stem[:keep]}.{ext}" if dot and 0 < keep else name[:MAX_NAME_CHARS]
    return name


def _preferred_extension(content_type: str, extensions: list[str]) -> str:
    return mimetypes.guess_extension(content_type, strict=False) or extensions[0]


def attachment(conversation_id: int, sender: str, file_id: str) -> dict:
    """What a message carries of a file, for a message of ``sender`` in the
    conversation; ``not_found`` for a file of another conversation or side."""
    stored = db.session.scalar(
        sa.select(StoredFile).where(
            StoredFile.id == file_id,
            StoredFile.conversation_id == conversation_id,
            StoredFile.uploader == sender,
        )
    )
    if stored is None:
        raise ChatError("not_found", "no such file in this conversation; upload it first")
    # Committed with the message (or rolled back with it).
    stored.sent = True
    return described(stored)


def described(stored: StoredFile) -> dict:
    """The file as a message stores it."""
    return {
        "id": stored.id,
        "name": stored.name,
        "size": stored.size,
        "content_type": stored.content_type,
        "width": stored.width,
        "height": stored.height,
        "thumbnail": stored.has_thumbnail,
    }


def readable(file_id: str, conversation_id: int | None) -> StoredFile:
    """A file for a reader of ``conversation_id`` (None: an agent, who may
    read every conversation); ``not_found`` for anyone else."""
    stored = db.session.get(StoredFile, file_id) if len(file_id) <= 32 else None
    if stored is None or conversation_id not in (None, stored.conversation_id):
        raise ChatError("not_found", "no such file")
    return stored


def content(stored: StoredFile, thumbnail: bool = False) -> bytes:
    """The file's bytes, or its thumbnail's."""
    if thumbnail and not stored.has_thumbnail:
        raise ChatError("not_found", "this file has no thumbnail")
    name = f"{stored.id}.thumb" if thumbnail else stored.id
    data = file_store.store().get(file_store.blob_key(stored.conversation_id, name))
    if data is None:
        raise ChatError("not_found", "the file's content is gone")
    return data


def is_inline_image(stored: StoredFile) -> bool:
    """Shown in the page: an image Pillow decoded (and made a thumbnail
    of); anything else, SVG and HTML among them, is only ever a download."""
    return stored.has_thumbnail and stored.content_type in IMAGE_FORMATS.values()


def sweep(unsent_hours: float, limit: int = 100) -> int:
    """Delete files uploaded more than ``unsent_hours`` ago and never sent,
    and the bytes left of conversations deleted by any path (a folder whose
    conversation is gone). Several processes may sweep at once: deleting
    twice is harmless. Returns how many files and folders went."""
    store = file_store.store()
    cutoff = utcnow() - timedelta(hours=unsent_hours)
    unsent = db.session.execute(
        sa.select(StoredFile.id, StoredFile.conversation_id)
        .where(StoredFile.sent.is_(False), StoredFile.created_at < cutoff)
        .limit(limit)
    ).all()
    for file_id, conversation_id in unsent:
        store.delete(file_store.blob_key(conversation_id, file_id))
        store.delete(file_store.blob_key(conversation_id, f"{file_id}.thumb"))
    if unsent:
        db.session.execute(sa.delete(StoredFile).where(StoredFile.id.in_([u.id for u in unsent])))
    db.session.commit()
    return len(unsent) + _sweep_folders(store)


def _sweep_folders(store) -> int:
    with_folders = store.conversation_ids()
    if not with_folders:
        return 0
    existing = set(
        db.session.scalars(sa.select(Conversation.id).where(Conversation.id.in_(with_folders)))
    )
    for conversation_id in with_folders - existing:
        store.delete_conversation(conversation_id)
    return len(with_folders - existing)
