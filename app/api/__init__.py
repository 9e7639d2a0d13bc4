from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import agents, canned, conversations, cors, errors, settings, tokens  # noqa: E402,F401
