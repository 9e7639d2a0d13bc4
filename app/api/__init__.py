from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import conversations, cors, errors, search, tokens  # noqa: E402,F401
