from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import (  # noqa: E402,F401
    agents,
    assignment,
    canned,
    conversations,
    cors,
    errors,
    lifecycle,
    ratings,
    reference,
    reports,
    search,
    settings,
    tokens,
    views,
)
