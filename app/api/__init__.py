from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import (  # noqa: E402,F401
    agents,
    assignment,
    canned,
    contacts,
    conversations,
    cors,
    errors,
    files,
    lifecycle,
    ratings,
    reach,
    reference,
    reports,
    resume,
    search,
    settings,
    tokens,
    views,
    visitors,
    webhooks,
)
