"""Background tasks that run once per app: started by whichever request,
socket or server start asks first."""

import threading
from collections.abc import Callable

from flask import Flask

from app import socketio

_lock = threading.Lock()


def start_once(app: Flask, name: str, task: Callable, *args) -> None:
    """Start ``task(app, state, *args)`` unless this app's ``name`` runs
    already; ``state`` is the app's background state (``state["stop"]``)."""
    state = app.extensions.setdefault("chat_background", {"stop": False})
    if state.get(name):  # every request asks: no lock once it runs
        return
    with _lock:
        if state.get(name):
            return
        state[name] = True
    socketio.start_background_task(task, app, state, *args)
