"""The ratings and reports tests again, on PostgreSQL instead of SQLite."""

import os

import pytest

from tests.harness.nested import run_tests
from tests.harness.services import postgres_bin
from tests.test_postgres import postgres_url  # noqa: F401 (the fixture)

pytestmark = pytest.mark.skipif(
    postgres_bin() is None, reason="PostgreSQL is not installed (apt-get install postgresql)"
)


@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="the whole run is on another database"
)
def test_ratings_and_reports_tests_pass_on_postgresql(postgres_url):  # noqa: F811
    result = run_tests(
        postgres_url,
        "tests/test_ratings.py",
        "tests/test_reports.py",
        "tests/test_migrations_ratings.py",
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1]
