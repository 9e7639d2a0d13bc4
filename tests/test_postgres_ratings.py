"""The ratings and reports tests again, on PostgreSQL instead of SQLite."""

from tests.harness.nested import run_tests


def test_ratings_and_reports_tests_pass_on_postgresql(postgres_url):
    run_tests(
        postgres_url,
        "tests/test_ratings.py",
        "tests/test_reports.py",
        "tests/test_migrations_ratings.py",
    )
