from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import language, routes  # noqa: E402,F401
