"""Flask's signed-cookie sessions, with the signing serializer made once.

Flask-SocketIO opens the Flask session for every Socket.IO event, and Flask
builds a new serializer each time it does; under load that alone took a
large share of the server's time.
"""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self):
        self._serializers = {}

    def get_signing_serializer(self, app: Flask):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            self._serializers = {key: serializer}  # one key in use at a time
        return serializer
