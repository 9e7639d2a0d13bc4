"""The protocol's error codes, shared by the Socket.IO events and the API."""

HTTP_STATUS = {
    "invalid": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "rate_limited": 429,
    "internal": 500,
}


class ChatError(Exception):
    """A request the chat refuses, with the protocol's code for why."""

    def __init__(self, code: str, message: str):
        assert code in HTTP_STATUS, code
        super().__init__(message)
        self.code = code
        self.message = message
