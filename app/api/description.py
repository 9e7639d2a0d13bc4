"""The API's OpenAPI description, built from what each view declares.

A view says what it takes and answers with ``@described(...)`` right under
``@bp.route``: the pydantic models of its query and body (the very models
it validates with), the models of its answers by status, and the error
codes it may answer with. Its docstring is its documentation. The path
parameters come from the route's converters. ``document(app)`` puts it all
together with pydantic's JSON Schema; nothing is written twice.
"""

import inspect
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from flask import Flask, request
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug.routing import IntegerConverter, Rule

from app.api.responses import ErrorBody
from app.errors import HTTP_STATUS

# Who may call an operation, and how they say who they are.
Auth = Literal[
    "none", "basic", "password_or_inbox", "visitor_or_agent", "visitor", "agent", "admin"
]
SECURITY = {
    "none": [],
    "basic": [{"agentPassword": []}],
    "password_or_inbox": [{"agentPassword": []}, {"inboxCookie": []}],
    "visitor_or_agent": [{"visitorToken": []}, {"agentToken": []}, {"inboxCookie": []}],
    "visitor": [{"visitorToken": []}],
    "agent": [{"agentToken": []}, {"inboxCookie": []}],
    "admin": [{"agentToken": []}, {"inboxCookie": []}],
}
AUTH_ERRORS = {
    "none": (),
    "basic": ("unauthorized",),
    "password_or_inbox": ("unauthorized", "forbidden"),
    "visitor_or_agent": ("unauthorized",),
    "visitor": ("unauthorized",),
    "agent": ("unauthorized", "forbidden"),
    "admin": ("unauthorized", "forbidden"),
}
SECURITY_SCHEMES = {
    "agentToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "An agent's API token, from `POST /api/v1/tokens`.",
    },
    "visitorToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "A visitor's token, from `POST /api/v1/conversations`.",
    },
    "agentPassword": {
        "type": "http",
        "scheme": "basic",
        "description": "An agent's email and password, only to get an API token.",
    },
    "inboxCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": "The inbox's login, on the chat's own pages only. Admins' changes "
        "and an agent's API tokens made or revoked with it also need the page's CSRF "
        "token in the `X-CSRFToken` header.",
    },
}
TAGS = [
    {"name": "visitors", "description": "Start, read, export and end a visitor's chat."},
    {"name": "conversations", "description": "The inbox: list, assign, resolve, delete."},
    {"name": "notes", "description": "Private notes agents add to a conversation."},
    {"name": "agents", "description": "The team and each agent's availability."},
    {"name": "canned", "description": "Canned responses agents insert with `/shortcut`."},
    {"name": "search", "description": "Full-text search of conversations."},
    {"name": "ratings", "description": "A visitor rates a resolved chat."},
    {"name": "reports", "description": "The desk's figures over a period, for admins."},
    {"name": "settings", "description": "The desk's settings."},
    {"name": "reach", "description": "When nobody is online: hours, and the way back by email."},
    {"name": "tokens", "description": "API tokens for agents' programs."},
    {"name": "admin", "description": "Admins manage the team."},
    {"name": "webhooks", "description": "Admins send the desk's events to other systems."},
    {"name": "files", "description": "Images and files sent in chats."},
    {"name": "description", "description": "This description."},
]


CHALLENGE = {
    "description": 'How to authenticate: `Bearer realm="chat"`',
    "required": True,
    "schema": {"type": "string"},
}


@dataclass(frozen=True)
class Operation:
    """What a view takes and answers, as ``described`` recorded it."""

    tag: str
    auth: Auth
    answers: dict[int, type[BaseModel] | None]
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    body_required: bool = True
    errors: tuple[str, ...] = ()
    headers: dict[int, dict[str, str]] = field(default_factory=dict)
    # The media type of a body that is not JSON: the request's (e.g.
    # multipart/form-data) and the answers' by status (e.g. a file's bytes).
    body_media: str = "application/json"
    media: dict[int, str] = field(default_factory=dict)

    def error_codes(self) -> list[str]:
        codes = [*AUTH_ERRORS[self.auth], *self.errors]
        if self.query is not None or self.body is not None:
            codes.append("invalid")
        if self.body is not None:
            codes.append("too_large")
        return sorted(set(codes), key=lambda code: HTTP_STATUS[code])


def described(
    *,
    tag: str,
    auth: Auth,
    answers: dict[int, type[BaseModel] | None],
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    body_required: bool = True,
    errors: tuple[str, ...] = (),
    headers: dict[int, dict[str, str]] | None = None,
    body_media: str = "application/json",
    media: dict[int, str] | None = None,
):
    """Record a view's operation for the description (see the module's docstring).

    ``answers`` maps each success status to the model of its JSON body
    (None for no body). ``errors`` are the protocol's error codes beyond
    those the caller's ``auth`` and the presence of input imply.
    ``headers`` names response headers by status (name: description).
    ``body_media`` is the body's media type when it is not JSON; ``media``
    gives, by status, the media type of an answer that is bytes, not JSON.
    """
    operation = Operation(
        tag,
        auth,
        answers,
        query,
        body,
        body_required,
        tuple(errors),
        headers or {},
        body_media,
        media or {},
    )

    def record(view):
        view.operation = operation
        return view

    return record


def operation_of(app: Flask, endpoint: str) -> Operation | None:
    return getattr(app.view_functions[endpoint], "operation", None)


def api_rules(app: Flask) -> list[Rule]:
    """The routes of the API blueprint, in the order they were added."""
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")]


def methods_of(rule: Rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def query_args(model: type[BaseModel]) -> dict:
    """The query string's values of ``model``'s fields; whole numbers as
    ``int`` (digits only), to be validated by the model."""
    from app.api.conversations import int_params

    args = {name: request.args[name] for name in model.model_fields if name in request.args}
    args.update(int_params(whole_number_fields(model)))
    return args


@cache
def whole_number_fields(model: type[BaseModel]) -> tuple[str, ...]:
    fields = model.model_json_schema()["properties"]
    return tuple(
        name for name, prop in fields.items() if parameter_schema(prop).get("type") == "integer"
    )


# --- The document.

PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def openapi_path(rule: Rule, prefix: str) -> str:
    return PARAMETER.sub(r"{\1}", rule.rule.removeprefix(prefix)) or "/"


def path_parameters(rule: Rule) -> list[dict]:
    """The route's parameters, as its converters accept them."""
    parameters = []
    for name, converter in rule._converters.items():
        schema = {"type": "string"}
        if isinstance(converter, IntegerConverter):
            schema = {"type": "integer", "minimum": 0}
            if converter.max is not None:
                schema["maximum"] = converter.max
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def parameter_schema(prop: dict) -> dict:
    """A query field's schema: a query string has no null, an absent
    parameter stands for it."""
    schema = {key: value for key, value in prop.items() if key not in ("title", "description")}
    choices = [choice for choice in schema.get("anyOf", ()) if choice != {"type": "null"}]
    if "anyOf" in schema and len(choices) == 1:
        del schema["anyOf"]
        schema.update(choices[0])
    if schema.get("default", "") is None:
        del schema["default"]
    return schema


def query_parameters(schema: dict) -> list[dict]:
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": parameter_schema(prop),
            **({"description": prop["description"]} if "description" in prop else {}),
        }
        for name, prop in schema["properties"].items()
    ]


class Schemas:
    """The models of every operation, as components, and their references."""

    def __init__(self, operations: list[Operation]):
        models = {(ErrorBody, "serialization")}
        for operation in operations:
            models.update((m, "validation") for m in (operation.query, operation.body) if m)
            models.update((m, "serialization") for m in operation.answers.values() if m)
        keys, defs = models_json_schema(
            sorted(models, key=lambda pair: (pair[0].__name__, pair[1])),
            ref_template="#/components/schemas/{model}",
        )
        self.keys = keys
        self.components = defs.get("$defs", {})

    def ref(self, model: type[BaseModel], mode: str) -> dict:
        return self.keys[(model, mode)]

    def inline(self, model: type[BaseModel]) -> dict:
        """A query model's own schema (its fields become parameters)."""
        ref = self.ref(model, "validation")["$ref"]
        return self.components[ref.rsplit("/", 1)[1]]


# The end of a first sentence, or of its lead-in before an example.
SENTENCE_END = re.compile(r"(?<=\.)\s|:\s+``")
SUMMARY_CHARS = 90


def docstring_parts(view) -> tuple[str, str]:
    """The summary (the docstring's first sentence, as plain text) and the
    description (the whole docstring, Markdown: ``code`` reads as code)."""
    text = inspect.cleandoc(view.__doc__ or view.__name__.replace("_", " "))
    first_paragraph = " ".join(text.split("\n\n")[0].split())
    summary = SENTENCE_END.split(first_paragraph, maxsplit=1)[0].rstrip(".:;")
    summary = summary.replace("``", "")
    if len(summary) > SUMMARY_CHARS:
        summary = summary[:SUMMARY_CHARS].rsplit(" ", 1)[0].rstrip(",;(") + "…"
    return summary, text


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def responses(operation: Operation, schemas: Schemas) -> dict:
    answers = {}
    for status, model in operation.answers.items():
        answer = {"description": "Done" if status < 300 else "Answered"}
        if model is not None:
            answer["description"] = model.__doc__.strip().splitlines()[0]
            answer["content"] = json_content(schemas.ref(model, "serialization"))
        if status in operation.media:
            binary = {"type": "string", "contentMediaType": operation.media[status]}
            answer["content"] = {operation.media[status]: {"schema": binary}}
        if status in operation.headers:
            answer["headers"] = {
                name: {"description": text, "schema": {"type": "string"}}
                for name, text in operation.headers[status].items()
            }
        answers[str(status)] = answer
    error = json_content(schemas.ref(ErrorBody, "serialization"))
    by_status: dict[int, list[str]] = {}
    for code in operation.error_codes():
        by_status.setdefault(HTTP_STATUS[code], []).append(code)
    for status, codes in by_status.items():
        listed = ", ".join(f"`{code}`" for code in codes)
        answers[str(status)] = {"description": f"Refused: {listed}", "content": error}
    if "401" in answers:
        answers["401"]["headers"] = {"WWW-Authenticate": CHALLENGE}
    return answers


def operation_object(view, rule: Rule, schemas: Schemas) -> dict:
    operation: Operation = view.operation
    summary, description = docstring_parts(view)
    parameters = path_parameters(rule)
    if operation.query is not None:
        parameters += query_parameters(schemas.inline(operation.query))
    described_operation = {
        "operationId": view.__name__,
        "tags": [operation.tag],
        "summary": summary,
        "security": SECURITY[operation.auth],
        "responses": responses(operation, schemas),
    }
    if description:
        described_operation["description"] = description
    if parameters:
        described_operation["parameters"] = parameters
    if operation.body is not None:
        described_operation["requestBody"] = {
            "required": operation.body_required,
            "content": {
                operation.body_media: {"schema": schemas.ref(operation.body, "validation")}
            },
        }
    return described_operation


def document(app: Flask, prefix: str = "/api/v1") -> dict:
    """The OpenAPI 3.1 description of every described route of the API."""
    routes = [
        (rule, method, app.view_functions[rule.endpoint])
        for rule in api_rules(app)
        for method in methods_of(rule)
        if operation_of(app, rule.endpoint) is not None
    ]
    schemas = Schemas([view.operation for _, _, view in routes])
    paths: dict[str, dict] = {}
    for rule, method, view in routes:
        item = paths.setdefault(openapi_path(rule, prefix), {})
        item[method.lower()] = operation_object(view, rule, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Support live chat API",
            "version": "1",
            "description": "Every endpoint under `/api/v1`. Errors answer "
            '`{"error": {"code", "message"}}` with the protocol\'s codes; the '
            "Socket.IO events are described in docs/protocol.md.",
        },
        "servers": [{"url": prefix}],
        "tags": TAGS,
        "paths": paths,
        "components": {"schemas": schemas.components, "securitySchemes": SECURITY_SCHEMES},
    }
