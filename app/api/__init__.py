from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import assignment, conversations, cors, errors, tokens  # noqa: E402,F401
