"""The JSON of Socket.IO packets: orjson to encode, the standard library to decode.

Encoding is on every broadcast's hot path, and orjson is several times
faster. Decoding stays with the standard library, which accepts whatever
valid JSON a client sends, so that odd input is answered by validation,
never by a dropped connection. What it cannot read at all (nested too
deeply, an integer of more than 4,300 digits, not JSON) becomes an event the
catch-all handler answers ``invalid``.
"""

import json

import orjson

# What a packet that cannot be decoded becomes: an event of this name, which
# the catch-all handler answers "invalid" under the packet's own ack id.
UNDECODABLE = "undecodable payload"


def dumps(obj, **_options) -> str:
    return orjson.dumps(obj).decode()


def loads(text: str):
    try:
        return json.loads(text)
    except (RecursionError, ValueError):
        return [UNDECODABLE]
