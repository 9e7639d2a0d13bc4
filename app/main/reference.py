"""The API reference page: the OpenAPI description, readable in a browser."""

from flask import render_template

from app.main import bp


@bp.route("/api/docs")
def api_reference():
    """Every REST endpoint, with its parameters, bodies, answers and errors
    (Swagger UI over ``/api/v1/openapi.json``)."""
    return render_template("reference.html")
