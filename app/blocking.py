"""Blocking work that must not stop the event loop."""

from collections.abc import Callable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")


def run_in_thread(func: Callable[..., T], *args) -> T:
    """Run CPU-bound ``func(*args)`` in a real thread and wait for it.

    Under eventlet or gevent every socket is served by one hub thread; a
    password hash computed on it (a tenth of a second of scrypt) would hold
    up every visitor's acknowledgement. The hub's thread pool keeps it
    serving meanwhile. Under threading, the caller is a thread already.
    """
    mode = current_app.extensions["socketio"].async_mode
    if mode == "eventlet":
        from eventlet import tpool

        return tpool.execute(func, *args)
    if mode == "gevent":
        import gevent

        return gevent.get_hub().threadpool.apply(func, args)
    return func(*args)


def let_others_run() -> None:
    """Give the event loop a turn in the middle of long work done on it
    (a report reading thousands of rows): under eventlet or gevent every
    socket waits while one request computes. Nothing under threading."""
    mode = current_app.extensions["socketio"].async_mode
    if mode == "eventlet":
        import eventlet

        eventlet.sleep(0)
    elif mode == "gevent":
        import gevent

        gevent.sleep(0)
