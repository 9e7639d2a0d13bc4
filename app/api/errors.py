"""Every API error is ``{"error": {"code", "message"}}`` with a 4xx status."""

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from app import db
from app.api import bp
from app.errors import HTTP_STATUS, ChatError
from app.realtime.payloads import error

CODE_FOR_STATUS = {status: code for code, status in HTTP_STATUS.items()}
CODE_FOR_STATUS.update({405: "invalid", 415: "invalid"})


def error_response(code: str, message: str, status: int | None = None):
    response = jsonify({"error": error(code, message)})
    response.status_code = status or HTTP_STATUS[code]
    return response


@bp.errorhandler(ChatError)
def chat_error(exc: ChatError):
    db.session.rollback()
    response = error_response(exc.code, exc.message)
    if exc.code == "unauthorized":
        response.headers["WWW-Authenticate"] = 'Bearer realm="chat"'
    return response


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    code = CODE_FOR_STATUS.get(exc.code, "invalid" if exc.code < 500 else "internal")
    message = exc.description or exc.name
    if exc.code == 429:
        message = f"too many requests; the limit is {message}"
    return error_response(code, message, exc.code)


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
def unrouted(exc: HTTPException):
    """Unknown paths and methods under the API answer in JSON too."""
    if request.path.startswith("/api/"):
        return http_error(exc)
    return exc.get_response()
