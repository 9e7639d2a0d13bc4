"""A contact's data for their rights (admins): a download of everything the
desk holds of them, and erasing it all in one action."""

import io
import json
import zipfile

from flask import current_app, send_file

from app.api import bp
from app.api import responses as answers
from app.api.auth import admin_caller, admin_changer
from app.api.description import described
from app.api.visitors import contact_details, context_details
from app.clock import iso, utcnow
from app.realtime import background, counts, emit, payloads
from app.schemas import MAX_INT
from app.services import activity, contact_data, files, history, visitor_context
from app.services.connections import sids_of

CONTACT_ID = "<int(max=2147483647):contact_id>"


class Erased(answers.Answer):
    """What erasing a contact deleted."""

    contact_id: int
    conversation_ids: list[int]


@bp.route(f"/admin/contacts/{CONTACT_ID}/export", methods=["GET"])
@described(
    tag="admin",
    auth="admin",
    answers={200: None},
    media={200: "application/zip"},
    headers={200: {"Content-Disposition": "attachment; contact-ID.zip"}},
    errors=("not_found",),
)
def export_contact(contact_id: int):
    """Everything the desk holds of a contact, as a ZIP (admins): ``contact.json``
    (the contact; each conversation with its messages, private notes,
    activity lines, ratings and the visitor's browser context) and
    ``files/``, every file sent in their conversations."""
    admin_caller()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        document = {"contact": contact_details(contact_data.contact(contact_id))}
        document["conversations"] = [
            _conversation(cid, zipped) for cid in contact_data.conversation_ids(contact_id)
        ]
        document["exported_at"] = iso(utcnow())
        zipped.writestr("contact.json", json.dumps(document, ensure_ascii=False, indent=2))
    archive.seek(0)
    response = send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"contact-{contact_id}.zip",
    )
    response.direct_passthrough = False
    response.cache_control.no_store = True
    return response


def _conversation(conversation_id: int, zipped: zipfile.ZipFile) -> dict:
    """One conversation as exported; its files go into the archive."""
    document = payloads.transcript(history.transcript(conversation_id))
    document.pop("exported_at")
    document["activities"] = payloads.activities(activity.among(conversation_id, 1, MAX_INT))
    document["ratings"] = [
        {"score": r.score, "comment": r.comment, "created_at": iso(r.created_at)}
        for r in contact_data.ratings_of(conversation_id)
    ]
    conversation = history.summary(conversation_id).conversation
    context = visitor_context.context_of(conversation_id)
    document["context"] = context_details(conversation, context)
    document["files"] = [_file(stored, zipped) for stored in contact_data.files_of(conversation_id)]
    return document


def _file(stored, zipped: zipfile.ZipFile) -> dict:
    path = f"files/{stored.conversation_id}/{stored.id}-{stored.name}"
    zipped.writestr(path, files.content(stored))
    return {**files.described(stored), "path": path}


@bp.route(f"/admin/contacts/{CONTACT_ID}", methods=["DELETE"])
@described(tag="admin", auth="admin", answers={200: Erased}, errors=("not_found",))
def erase_contact(contact_id: int):
    """Erase a contact and every conversation of theirs, with messages,
    notes, ratings, context and files, in one transaction (admins).

    The visitor's sockets close and every inbox gets ``conversation_deleted``
    for each conversation. Answers ``{contact_id, conversation_ids}``.
    """
    admin_changer()
    ids = contact_data.conversation_ids(contact_data.contact(contact_id).id)
    sids = [sid for cid in ids for sid in sids_of(conversation_id=cid)]
    erased = contact_data.erase(contact_id)
    emit.disconnect(sids)
    for cid in erased:
        emit.deleted(cid)
    counts.send_soon()
    background.truncate_log_later(current_app._get_current_object())
    return {"contact_id": contact_id, "conversation_ids": erased}
