"""The ratings and reports tests again, on PostgreSQL instead of SQLite."""

from tests.harness.nested import run_tests


def test_ratings_and_reports_tests_pass_on_postgresql(postgres_url):
    result = run_tests(
        postgres_url,
        "tests/test_ratings.py",
        "tests/test_reports.py",
        "tests/test_migrations_ratings.py",
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout.splitlines()[-1]
