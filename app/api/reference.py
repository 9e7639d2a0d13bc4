"""The API's description, served for clients, code generators and the
reference page (``/api/docs``)."""

from flask import current_app

from app.api import bp
from app.api.description import described, document
from app.api.responses import OpenApiDocument


@bp.route("/openapi.json", methods=["GET"])
@described(tag="description", auth="none", answers={200: OpenApiDocument})
def openapi_description():
    """This description (OpenAPI 3.1).

    Built from the models that validate each request, so it cannot drift
    from what the server accepts and answers.
    """
    app = current_app._get_current_object()
    if "openapi" not in app.extensions:
        app.extensions["openapi"] = document(app)
    return app.extensions["openapi"]
