"""Run some of the tests again in a child pytest, on another database."""

import os
import subprocess
import sys


def run_tests(database_url: str, *tests: str) -> subprocess.CompletedProcess:
    """Run ``tests`` with ``TEST_DATABASE_URL`` set, one process, in order;
    fails unless they pass. Returns the finished run.

    The child runs without workers of its own (``-n 0``): the run it is part
    of already keeps the machine's cores busy.
    """
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "-rs", *tests],
        env={**os.environ, "TEST_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1]
    return result
