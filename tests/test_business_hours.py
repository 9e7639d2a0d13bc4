"""Business hours: the schedule admins set, and what visitors are told."""

from datetime import UTC, datetime

import pytest

from app.services.hours import DEFAULT, hours_at
from tests.conftest import events
from tests.test_admin import admin, admin_token  # noqa: F401

PARIS_WEEKDAYS = {**DEFAULT, "enabled": True, "timezone": "Europe/Paris"}


def at(text):
    return datetime.fromisoformat(text).astimezone(UTC)


def test_hours_off_means_always_open():
    now = hours_at(DEFAULT, at("2026-11-29T03:00:00+00:00"))
    assert (now.open, now.closes_at, now.opens_at) == (True, None, None)


def test_sunday_is_closed_until_monday_nine_in_the_desks_zone():
    now = hours_at(PARIS_WEEKDAYS, at("2026-11-29T12:00:00+01:00"))
    assert not now.open
    assert now.opens_at == at("2026-11-30T09:00:00+01:00")


def test_open_on_a_weekday_until_five():
    now = hours_at(PARIS_WEEKDAYS, at("2026-12-01T16:59:00+01:00"))
    assert now.open and now.closes_at == at("2026-12-01T17:00:00+01:00")
    assert not hours_at(PARIS_WEEKDAYS, at("2026-12-01T17:00:00+01:00")).open


def test_friday_evening_opens_on_monday():
    now = hours_at(PARIS_WEEKDAYS, at("2026-12-04T18:00:00+01:00"))
    assert now.opens_at == at("2026-12-07T09:00:00+01:00")


def test_wall_clock_times_hold_across_a_daylight_saving_change():
    # Paris moves to summer time on 29 March 2026: Monday 9:00 is 07:00 UTC.
    now = hours_at(PARIS_WEEKDAYS, at("2026-03-28T12:00:00+01:00"))
    assert now.opens_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_a_day_ending_at_midnight_runs_into_the_next_day():
    days = {day: [] for day in DEFAULT["days"]}
    days["mon"] = [{"start": "20:00", "end": "24:00"}]
    days["tue"] = [{"start": "00:00", "end": "02:00"}]
    schedule = {"enabled": True, "timezone": "UTC", "days": days}
    now = hours_at(schedule, at("2026-11-30T23:00:00+00:00"))
    assert now.open and now.closes_at == at("2026-12-01T02:00:00+00:00")


def test_admin_sets_hours_and_a_new_visitor_is_told(client, admin_token):  # noqa: F811
    schedule = {**DEFAULT, "enabled": True, "timezone": "Pacific/Kiritimati"}
    schedule["days"] = {day: [] for day in DEFAULT["days"]}  # closed all week
    response = client.patch(
        "/api/v1/settings",
        json={"business_hours": schedule},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert response.status_code == 200, response.json
    assert response.json["settings"]["business_hours"] == schedule

    answer = client.get("/api/v1/availability").json
    assert answer == {
        "hours": {"open": False, "closes_at": None, "opens_at": None},
        "agents_online": False,
        "mail": False,
    }


def test_the_visitors_chat_state_carries_hours_and_email(new_visitor, connect):
    conversation_id, token = new_visitor(email="ana@example.com")
    state = events(connect(visitor_token=token), "chat_state")[0]
    assert state["hours"] == {"open": True, "closes_at": None, "opens_at": None}
    assert state["email"] == "ana@example.com"


BAD_SCHEDULES = [
    ({**DEFAULT, "timezone": "Mars/Olympus"}, "time zone"),
    ({**DEFAULT, "timezone": "../../etc/passwd"}, "time zone"),
    ({**DEFAULT, "enabled": "yes"}, "enabled"),
    ({**DEFAULT, "days": {**DEFAULT["days"], "mon": [{"start": "9:00", "end": "17:00"}]}}, "HH:MM"),
    (
        {**DEFAULT, "days": {**DEFAULT["days"], "mon": [{"start": "17:00", "end": "09:00"}]}},
        "ends after",
    ),
    (
        {
            **DEFAULT,
            "days": {
                **DEFAULT["days"],
                "mon": [{"start": "09:00", "end": "13:00"}, {"start": "12:00", "end": "18:00"}],
            },
        },
        "overlap",
    ),
    (
        {**DEFAULT, "days": {**DEFAULT["days"], "mon": [{"start": "09:00", "end": "10:00"}] * 5}},
        "at most",
    ),
    ({"enabled": True, "timezone": "UTC", "days": {"mon": []}}, "tue"),
    (
        {**DEFAULT, "days": {**DEFAULT["days"], "mon": [{"start": "24:01", "end": "25:00"}]}},
        "HH:MM",
    ),
]


@pytest.mark.parametrize(("schedule", "says"), BAD_SCHEDULES)
def test_a_bad_schedule_is_refused_and_nothing_stored(client, admin_token, schedule, says):  # noqa: F811
    headers = {"Authorization": f"Bearer {admin_token}"}
    response = client.patch("/api/v1/settings", json={"business_hours": schedule}, headers=headers)
    assert response.status_code == 400
    assert says.lower() in response.json["error"]["message"].lower()
    stored = client.get("/api/v1/settings", headers=headers).json["settings"]["business_hours"]
    assert stored == DEFAULT


def test_unseen_reply_minutes_has_limits(client, admin_token):  # noqa: F811
    headers = {"Authorization": f"Bearer {admin_token}"}
    for bad in (0, 1441, "5", True):
        answer = client.patch(
            "/api/v1/settings", json={"email_unseen_reply_minutes": bad}, headers=headers
        )
        assert answer.status_code == 400, bad
    answer = client.patch(
        "/api/v1/settings", json={"email_unseen_reply_minutes": 15}, headers=headers
    )
    assert answer.json["settings"]["email_unseen_reply_minutes"] == 15
