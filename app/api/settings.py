"""The desk's settings: every agent reads them, admins change them."""

from pydantic import BaseModel, ConfigDict, create_model
from pydantic.json_schema import SkipJsonSchema

from app.api import bp
from app.api.auth import admin_changer, agent_caller
from app.api.conversations import json_body
from app.api.description import described
from app.api.responses import absent, settings_answer
from app.realtime import emit
from app.services import settings


def settings_change() -> type[BaseModel]:
    """The body of a change: any known settings, at least one, nothing else
    (what ``settings.change`` accepts)."""
    fields = {
        key: (known.type | SkipJsonSchema[None], absent(known.description))
        for key, known in settings.KNOWN.items()
    }
    return create_model(
        "SettingsChange",
        __config__=ConfigDict(strict=True, extra="forbid", json_schema_extra={"minProperties": 1}),
        **fields,
    )


SettingsAnswer = settings_answer()


@bp.route("/settings", methods=["GET"])
@described(tag="settings", auth="agent", answers={200: SettingsAnswer})
def read_settings():
    """Every desk setting with its value: ``{"settings": {...}}`` (agents)."""
    agent_caller()
    return {"settings": settings.current()}


@bp.route("/settings", methods=["PATCH"])
@described(tag="settings", auth="admin", body=settings_change(), answers={200: SettingsAnswer})
def change_settings():
    """Change settings: ``{key: value, ...}`` (admins).

    All or nothing: an unknown key or a value of the wrong type is ``400
    invalid`` and nothing is stored. Answers every setting, as GET does, and
    tells every agent's open inbox (the ``settings`` event).
    """
    admin_changer()
    payload = {"settings": settings.change(json_body())}
    emit.settings(payload)
    return payload
