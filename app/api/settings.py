"""The desk's settings: every agent reads them, admins change them."""

from app.api import bp
from app.api.auth import admin_changer, agent_caller
from app.api.conversations import json_body
from app.realtime import emit
from app.services import settings


@bp.route("/settings", methods=["GET"])
def read_settings():
    """Every desk setting with its value: ``{"settings": {...}}`` (agents)."""
    agent_caller()
    return {"settings": settings.current()}


@bp.route("/settings", methods=["PATCH"])
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
