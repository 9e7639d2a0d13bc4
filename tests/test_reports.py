"""The reports: exact figures from known conversations (service), the JSON
and CSV answers, and who may read them."""

import csv
import io
from datetime import UTC, date, datetime

import pytest

from app import db
from app.errors import ChatError
from app.models import Activity, Agent, Conversation, Message, Rating
from app.services import reports

ZONE = "Europe/Copenhagen"  # UTC+1 in early March


def at(text: str) -> datetime:
    """A stored time (naive UTC) from "2026-03-01T09:00:00"."""
    return datetime.fromisoformat(text)


def conversation(created: str, assignee: Agent | None = None, **columns) -> Conversation:
    row = Conversation(
        created_at=at(created), last_activity_at=at(created), assignee_id=assignee and assignee.id
    )
    for name, value in columns.items():
        setattr(row, name, value)
    db.session.add(row)
    db.session.flush()
    return row


def messages(row: Conversation, *said: tuple[str, str]) -> None:
    for seq, (sender, moment) in enumerate(said, start=1):
        db.session.add(
            Message(
                conversation_id=row.id,
                seq=seq,
                client_id=f"m{seq}",
                sender=sender,
                author_name=sender,
                body="…",
                created_at=at(moment),
            )
        )
    row.last_seq = len(said)


def line(row: Conversation, kind: str, moment: str, agent: Agent | None = None) -> Activity:
    made = Activity(
        conversation_id=row.id,
        after_seq=row.last_seq,
        kind=kind,
        agent_id=agent and agent.id,
        created_at=at(moment),
    )
    db.session.add(made)
    db.session.flush()
    return made


def rating(row: Conversation, resolution: Activity, score: int, agent: Agent | None) -> None:
    db.session.add(
        Rating(
            conversation_id=row.id,
            resolution_id=resolution.id,
            agent_id=agent and agent.id,
            score=score,
            comment='=HYPERLINK("http://evil")' if score == 5 else None,
        )
    )


@pytest.fixture
def desk(app):
    """Two agents and seven conversations around 1 to 3 March 2026 (Copenhagen)."""
    ada = Agent(email="ada@example.com", name="Ada", password_hash="x")
    ben = Agent(email="ben@example.com", name="Ben", password_hash="x")
    db.session.add_all([ada, ben])
    db.session.flush()
    # 1 March, 10:00 local: answered in 60 s, resolved in 600 s, rated 5.
    c1 = conversation(
        "2026-03-01T09:00:00", ada, state="resolved", visitor_name="=cmd|' /C calc'!A0"
    )
    messages(c1, ("visitor", "2026-03-01T09:00:00"), ("agent", "2026-03-01T09:01:00"))
    rating(c1, line(c1, "resolved", "2026-03-01T09:10:00", ada), 5, ada)
    # 2 March, 00:30 local: the agent wrote first (not a response), the
    # visitor, then the answer in 120 s; resolved, rated 3, reopened.
    c2 = conversation("2026-03-01T23:30:00", ada, state="open")
    messages(
        c2,
        ("agent", "2026-03-01T23:30:00"),
        ("visitor", "2026-03-01T23:31:00"),
        ("agent", "2026-03-01T23:33:00"),
    )
    rating(c2, line(c2, "resolved", "2026-03-01T23:40:00", ada), 3, ada)
    line(c2, "reopened", "2026-03-01T23:50:00")
    # 2 March: answered in 300 s, resolved, reopened, resolved at 3,600 s; rated 4.
    c3 = conversation("2026-03-02T12:00:00", ben, state="resolved")
    messages(c3, ("visitor", "2026-03-02T12:00:00"), ("agent", "2026-03-02T12:05:00"))
    line(c3, "resolved", "2026-03-02T12:30:00", ben)
    line(c3, "reopened", "2026-03-02T12:40:00")
    rating(c3, line(c3, "resolved", "2026-03-02T13:00:00", ben), 4, ben)
    # 3 March: nobody answered.
    c4 = conversation("2026-03-03T08:00:00")
    messages(c4, ("visitor", "2026-03-03T08:00:00"))
    # 1 March, 00:00 local (still 28 February in UTC): answered in 1,200 s,
    # resolved at 7,200 s, then ended by the visitor.
    c7 = conversation("2026-02-28T23:00:00", state="resolved", status="closed")
    messages(c7, ("visitor", "2026-02-28T23:00:00"), ("agent", "2026-02-28T23:20:00"))
    line(c7, "resolved", "2026-03-01T01:00:00")
    # Outside: 28 February 23:59 local, and 4 March 00:00 local.
    c5 = conversation("2026-02-28T22:59:00", ada, state="resolved")
    messages(c5, ("visitor", "2026-02-28T22:59:00"), ("agent", "2026-02-28T23:00:00"))
    rating(c5, line(c5, "resolved", "2026-02-28T23:05:00", ada), 1, ada)
    c6 = conversation("2026-03-03T23:00:00", ben)
    messages(c6, ("visitor", "2026-03-03T23:00:00"), ("agent", "2026-03-03T23:00:05"))
    db.session.commit()
    return {"ada": ada.id, "ben": ben.id, "ids": [c1.id, c2.id, c3.id, c4.id, c7.id]}


def march(zone: str = ZONE) -> reports.Period:
    return reports.period("2026-03-01", "2026-03-03", zone)


def test_the_desks_figures_are_exact(desk):
    report = reports.report(march())
    totals = report.totals

    assert (totals.conversations, totals.answered, totals.resolved) == (5, 4, 3)
    # First responses 60, 120, 300, 1200: median (120 + 300) / 2; p90 at
    # rank 1 + 3 * 0.9 = 3.7, 300 + 0.7 * (1200 - 300).
    assert totals.first_response == reports.Times(210, 930, 4)
    # Resolutions 600, 3600, 7200: p90 at rank 2.8, 3600 + 0.8 * 3600.
    assert totals.resolution == reports.Times(3600, 6480, 3)
    assert totals.ratings.distribution == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    assert totals.ratings.average == 4
    assert report.days == [(date(2026, 3, 1), 2), (date(2026, 3, 2), 2), (date(2026, 3, 3), 1)]


def test_per_agent_figures_and_unassigned_last(desk):
    agents = {a.name: a for a in reports.report(march()).agents}

    assert list(agents) == ["Ada", "Ben", None]
    ada, ben, nobody = agents["Ada"].figures, agents["Ben"].figures, agents[None].figures
    assert ada.conversations == 2
    assert ada.first_response == reports.Times(90, 114, 2)
    assert ada.resolution == reports.Times(600, 600, 1)
    assert (ada.ratings.count, ada.ratings.average) == (2, 4)
    assert (ben.conversations, ben.first_response.median, ben.resolution.p90) == (1, 300, 3600)
    assert ben.ratings.distribution[4] == 1
    assert (nobody.conversations, nobody.answered, nobody.resolution.median) == (2, 1, 7200)
    assert nobody.ratings.count == 0


def test_the_time_zone_decides_the_days(desk):
    utc = reports.report(march("UTC"))
    # In UTC, c7 started on 28 February and c6 on 3 March.
    assert utc.totals.conversations == 5
    assert utc.days == [(date(2026, 3, 1), 2), (date(2026, 3, 2), 1), (date(2026, 3, 3), 2)]


def test_an_empty_period_has_no_figures(desk):
    report = reports.report(reports.period("2025-01-01", "2025-01-02", "UTC"))
    assert report.totals.conversations == 0
    assert report.totals.first_response == reports.Times(None, None, 0)
    assert report.totals.ratings.average is None
    assert report.agents == []
    assert report.days == [(date(2025, 1, 1), 0), (date(2025, 1, 2), 0)]


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [([], 0.5, None), ([7], 0.9, 7), ([1, 2], 0.5, 1.5), ([1, 2, 3, 4, 5], 0.9, 4.6)],
)
def test_percentiles_interpolate_between_ranks(values, p, expected):
    found = reports.percentile(values, p)
    assert found is None if expected is None else found == pytest.approx(expected)


def test_the_default_period_is_the_last_30_days_in_the_zone():
    now = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)  # already 11 March in Copenhagen
    period = reports.period(None, None, ZONE, now=now)
    assert (period.first, period.last, period.days) == (date(2026, 2, 10), date(2026, 3, 11), 30)
    assert period.starts == datetime(2026, 2, 9, 23, 0)


@pytest.mark.parametrize(
    ("first", "last", "zone"),
    [
        ("2026-03-05", "2026-03-01", ZONE),
        ("2025-01-01", "2026-03-01", ZONE),
        ("yesterday", None, ZONE),
        ("2026-02-30", None, ZONE),
        (None, None, "Mars/Olympus"),
        (None, None, "../../etc/passwd"),
        (None, None, "x" * 65),
        ("0001-01-01", "0001-01-02", ZONE),
    ],
)
def test_bad_periods_are_invalid(first, last, zone):
    with pytest.raises(ChatError) as refused:
        reports.period(first, last, zone)
    assert refused.value.code == "invalid"


# --- over HTTP ------------------------------------------------------------------


@pytest.fixture
def admin_token(app, agent):
    from app.services import tokens

    agent.role = "admin"
    db.session.commit()
    return tokens.issue_token(agent)


def get(client, token, path, **params):
    return client.get(
        f"/api/v1/admin/reports{path}",
        query_string={"from": "2026-03-01", "to": "2026-03-03", "tz": ZONE, **params},
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_report_as_json(desk, client, admin_token):
    answer = get(client, admin_token, "")
    assert answer.status_code == 200
    body = answer.json
    assert body["period"] == {"from": "2026-03-01", "to": "2026-03-03", "tz": ZONE, "days": 3}
    assert body["totals"]["first_response"] == {"median": 210, "p90": 930, "count": 4}
    assert body["totals"]["ratings"] == {
        "average": 4,
        "count": 3,
        "distribution": {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1},
    }
    assert body["days"][0] == {"date": "2026-03-01", "conversations": 2}
    assert [a["agent"] for a in body["agents"]] == [
        {"id": desk["ada"], "name": "Ada"},
        {"id": desk["ben"], "name": "Ben"},
        None,
    ]


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_csv_exports_hold_the_same_figures(desk, client, admin_token):
    agents = rows_of(get(client, admin_token, ".csv", kind="agents"))
    assert agents[0][:4] == ["agent", "conversations", "answered", "resolved"]
    assert agents[1][:8] == ["All agents", "5", "4", "3", "210", "930", "3600", "6480"]
    assert [row[0] for row in agents[2:]] == ["Ada", "Ben", "Unassigned"]

    days = rows_of(get(client, admin_token, ".csv", kind="days"))
    assert days == [
        ["date", "conversations"],
        ["2026-03-01", "2"],
        ["2026-03-02", "2"],
        ["2026-03-03", "1"],
    ]

    rows = rows_of(get(client, admin_token, ".csv", kind="conversations"))
    header = rows[0]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert sorted(map(int, by_id)) == sorted(desk["ids"])
    first = by_id[str(desk["ids"][0])]
    assert first["started_at"] == "2026-03-01T10:00:00+01:00"
    assert (first["first_response_seconds"], first["resolution_seconds"]) == ("60", "600")
    assert first["rating"] == "5"
    # Cells a spreadsheet would run as formulas are quoted, not run.
    assert first["visitor"] == "'=cmd|' /C calc'!A0"
    assert first["rating_comment"].startswith("'=HYPERLINK")


def test_bad_queries_are_400(desk, client, admin_token):
    assert get(client, admin_token, "", tz="Nowhere/Else").status_code == 400
    assert get(client, admin_token, "", to="2026-02-01").status_code == 400
    assert get(client, admin_token, ".csv", kind="everything").status_code == 400


def test_only_admins_read_reports(desk, client, agent_token, new_visitor):
    assert get(client, agent_token, "").status_code == 403
    assert get(client, agent_token, ".csv", kind="days").status_code == 403
    _, visitor_token = new_visitor()
    assert get(client, visitor_token, "").status_code == 403
    assert client.get("/api/v1/admin/reports").status_code == 401


@pytest.mark.parametrize("app", [{"CHAT_REPORT_RATE": "2 per minute"}], indirect=True)
def test_reports_are_rate_limited(desk, client, admin_token):
    codes = [get(client, admin_token, "").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
