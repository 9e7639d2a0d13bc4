"""Registering the protocol's events: each is validated, authorised and
answered exactly once, whatever happens inside."""

import functools
import logging
import time

from pydantic import ValidationError

from app import db, metrics, socketio
from app.errors import ChatError
from app.lifecycle import in_flight
from app.realtime.payloads import failed
from app.realtime.session import current_identity
from app.schemas import Payload, describe

log = logging.getLogger(__name__)

# Every event registered here, and whether a read-only API token may send it
# (fixed at import: a table of definitions, not state).
READS: dict[str, bool] = {}


def _identity_and_payload(args: tuple, schema: type[Payload], reads: bool):
    """Who sent the event, allowed to send it, and its validated payload."""
    if len(args) != 1 or not isinstance(args[0], dict):
        raise ChatError("invalid", "the payload must be one JSON object")
    identity = current_identity()
    if not reads:
        identity.check_can_write()
    return identity, schema.model_validate(args[0])


def chat_event(name: str, schema: type[Payload], agents_only: bool = False, reads: bool = False):
    """Register a handler that gets (identity, payload) and answers exactly once.

    An event changes something unless it is declared with ``reads=True``:
    a read-only API token gets ``forbidden`` for every other one.
    """

    def register(handler):
        @functools.wraps(handler)
        def respond(*args):
            try:
                with in_flight():
                    identity, payload = _identity_and_payload(args, schema, reads)
                    if agents_only and not identity.is_agent:
                        raise ChatError("forbidden", f"only agents may {name}")
                    return {"ok": True, **handler(identity, payload)}
            except ValidationError as exc:
                db.session.rollback()
                return failed("invalid", describe(exc))
            except ChatError as exc:
                db.session.rollback()
                return failed(exc.code, exc.message)
            except Exception:
                db.session.rollback()
                log.exception("%s failed", name)
                return failed("internal", "the server failed; try again")

        @functools.wraps(handler)
        def answer(*args):
            if not metrics.state.recording:
                return respond(*args)
            started = time.perf_counter()
            reply = respond(*args)
            metrics.event_answered(name, reply, started)
            return reply

        READS[name] = reads
        socketio.on_event(name, answer)
        return answer

    return register
