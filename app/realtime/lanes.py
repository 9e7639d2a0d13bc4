"""A lane for events that may wait a turn of the event loop, so that
messages never wait behind a crowd of them.

Five hundred visitors whose typing refreshes arrive at once would otherwise
be handled one after the other before the server reads any socket again,
and a message arriving meanwhile would wait for all of them. In the lane,
a few are handled at a time: each one leaving lets the next in on a later
turn of the event loop (eventlet and gevent wake a waiter that way), after
the server has read its sockets and handled what came. Under threading it
only bounds how many run at once.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

# How many events of the lane are handled in one turn of the event loop.
WIDTH = 4
_lane = threading.BoundedSemaphore(WIDTH)


@contextmanager
def typing_lane() -> Iterator[None]:
    with _lane:
        yield
