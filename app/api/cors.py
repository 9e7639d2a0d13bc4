"""Cross-origin access for the widget embedded on customers' sites."""

from flask import current_app, request

from app.api import bp
from app.web.origins import origin_checker


@bp.after_request
def allow_listed_origins(response):
    origin = request.headers.get("Origin")
    if origin is None:
        return response
    is_allowed = origin_checker(current_app.config["CHAT_ALLOWED_ORIGINS"])
    if is_allowed(origin, request.environ):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE, OPTIONS"
        response.headers["Access-Control-Max-Age"] = "600"
    response.vary.add("Origin")
    return response
