"""The JSON of Socket.IO packets: orjson to encode, the standard library to decode.

Encoding is on every broadcast's hot path, and orjson is several times
faster. Decoding stays with the standard library, which accepts whatever
valid JSON a client sends, so that odd input is answered by validation,
never by a dropped connection. Nesting too deep to decode becomes an event
the catch-all handler answers ``invalid``; other text it cannot read raises
``ValueError``, which python-engineio relies on for its own packets (see
``app.packets`` for events).
"""

import json

import orjson

# What an event that cannot be decoded becomes: an event of this name, which
# the catch-all handler answers "invalid" under the packet's own ack id.
UNDECODABLE = "undecodable payload"


def dumps(obj, **_options) -> str:
    return orjson.dumps(obj).decode()


def loads(text: str):
    try:
        return json.loads(text)
    except RecursionError:
        return [UNDECODABLE]
