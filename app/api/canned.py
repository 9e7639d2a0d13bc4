"""Canned responses over HTTP: shared replies agents insert with ``/shortcut``."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from app.api import bp
from app.api import responses as answers
from app.api.auth import agent_caller
from app.api.conversations import json_body, validated
from app.api.description import described
from app.clock import iso
from app.realtime import emit
from app.schemas import Text
from app.services import canned

# Generous for "/" and spaces around a 32-character shortcut; the service
# says exactly what a shortcut may be.
ShortcutText = Annotated[Text, StringConstraints(max_length=64)]


class NewCanned(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    shortcut: ShortcutText
    body: Text


class CannedChange(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    shortcut: ShortcutText | None = None
    body: Text | None = None

    @model_validator(mode="after")
    def _something(self):
        if self.shortcut is None and self.body is None:
            raise ValueError("give a shortcut, a body or both")
        return self


def canned_payload(response) -> dict:
    """A canned response as the API answers it."""
    return {
        "id": response.id,
        "shortcut": response.shortcut,
        "body": response.body,
        "created_at": iso(response.created_at),
        "updated_at": iso(response.updated_at),
    }


@bp.route("/canned", methods=["GET"])
@described(tag="canned", auth="agent", answers={200: answers.CannedList})
def list_canned():
    """Every canned response, sorted by shortcut (agents)."""
    agent_caller()
    return {"canned": [canned_payload(response) for response in canned.all_responses()]}


@bp.route("/canned", methods=["POST"])
@described(
    tag="canned", auth="agent", body=NewCanned, answers={201: answers.Canned}, errors=("conflict",)
)
def create_canned():
    """Add a canned response (agents). Body: ``{"shortcut", "body"}``.

    Answers ``201`` with the new response; ``409 conflict`` when the
    shortcut is taken or ``CHAT_MAX_CANNED`` responses exist.
    """
    identity = agent_caller()
    details = validated(NewCanned, json_body())
    response = canned.create(details.shortcut, details.body, identity.agent_id)
    emit.canned_changed()
    return canned_payload(response), 201


@bp.route("/canned/<int(max=2147483647):response_id>", methods=["PATCH"])
@described(
    tag="canned",
    auth="agent",
    body=CannedChange,
    answers={200: answers.Canned},
    errors=("not_found", "conflict"),
)
def change_canned(response_id: int):
    """Change a canned response's ``shortcut``, ``body`` or both (agents)."""
    agent_caller()
    details = validated(CannedChange, json_body())
    response = canned.update(response_id, details.shortcut, details.body)
    emit.canned_changed()
    return canned_payload(response)


@bp.route("/canned/<int(max=2147483647):response_id>", methods=["DELETE"])
@described(tag="canned", auth="agent", answers={204: None}, errors=("not_found",))
def delete_canned(response_id: int):
    """Delete a canned response (agents). Answers 204."""
    agent_caller()
    canned.delete(response_id)
    emit.canned_changed()
    return "", 204
