"""The service and event tests again, on PostgreSQL instead of SQLite."""

from tests.harness.nested import run_tests


def test_service_and_event_tests_pass_on_postgresql(postgres_url):
    run_tests(
        postgres_url,
        "tests/test_service.py",
        "tests/test_events.py",
        "tests/test_api.py",
        "tests/test_assignment.py",
        "tests/test_autoassign.py",
        "tests/test_views.py",
        "tests/test_lifecycle.py",
        "tests/test_notes.py",
        "tests/test_canned.py",
        "tests/test_admin.py",
        "tests/test_migrations.py",
        "tests/test_migrations_notes.py",
        "tests/test_outbox.py",
        "tests/test_webhooks.py",
        "tests/test_migrations_outbox.py",
        "tests/test_migrations_tokens.py",
        "tests/test_api_tokens.py",
        "tests/test_token_scopes.py",
        "tests/test_files.py",
        "tests/test_migrations_files.py",
        "tests/test_email.py",
        "tests/test_business_hours.py",
        "tests/test_visitor_email.py",
    )
