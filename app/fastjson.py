"""The JSON of Socket.IO packets: orjson to encode, the standard library to decode.

Encoding is on every broadcast's hot path, and orjson is several times
faster. Decoding stays with the standard library, which accepts whatever
valid JSON a client sends (integers of any size included), so that odd input
is answered by validation, never by a dropped connection.
"""

import json

import orjson

# What a packet too deeply nested to decode becomes: an event of this name,
# which the catch-all handler answers "invalid" under the packet's own ack id.
UNDECODABLE = "undecodable payload"


def dumps(obj, **_options) -> str:
    return orjson.dumps(obj).decode()


def loads(text: str):
    try:
        return json.loads(text)
    except RecursionError:
        return [UNDECODABLE]
