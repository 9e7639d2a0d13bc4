"""A pytest plugin: the report of a failing test shows the tail of its servers' logs.

A fixture names the servers a test uses with ``show_log_on_failure``, or
with ``watching``, which also fails the test when the server died or logged
a traceback meanwhile.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.harness.server import ServerProcess

SERVERS = pytest.StashKey[list]()
TAIL_LINES = 80


def show_log_on_failure(node: pytest.Item, server) -> None:
    """Attach the tail of ``server``'s log to the report if the test of ``node`` fails.

    ``server`` is a ``ServerProcess`` or anything else with a ``log_path``
    and a ``log_tail(lines)`` (nginx in the deployment tests)."""
    node.stash.setdefault(SERVERS, []).append(server)


@contextmanager
def watching(
    node: pytest.Item, server: ServerProcess, allowed: tuple[str, ...] = ()
) -> Iterator[ServerProcess]:
    """The server during one test: its log tail is shown if the test fails, and
    the test fails if the server dies or logs a traceback (but ``allowed`` ones)."""
    show_log_on_failure(node, server)
    offset = server.log_size()
    yield server
    assert server.running, f"the server died:\n{server.log_tail()}"
    server.assert_clean_log(since=offset, allowed=allowed)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        for server in item.stash.get(SERVERS, []):
            report.sections.append((f"server log ({server.log_path})", server.log_tail(TAIL_LINES)))
    return report
