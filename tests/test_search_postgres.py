"""The search tests again, on PostgreSQL, where the query plan is checked too."""

from tests.harness.nested import run_tests


def test_search_tests_pass_on_postgresql(postgres_url):
    result = run_tests(
        postgres_url,
        "tests/test_search.py",
        "tests/test_migrations.py::test_upgrade_makes_every_stored_message_and_visitor_searchable",
    )
    assert "skipped" not in result.stdout.splitlines()[-1], result.stdout[-2000:]
