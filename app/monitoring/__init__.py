from flask import Blueprint

bp = Blueprint("monitoring", __name__)

from app.monitoring import routes  # noqa: E402,F401
