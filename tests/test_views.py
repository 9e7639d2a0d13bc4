"""The inbox's views: who is in each, in which order, page by page, and how
many, as an agent sees them through the API and the ``counts`` event."""

import time
import urllib.parse
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import URLSafeSerializer

from app import db
from app.clock import utcnow
from app.models import Agent, Conversation
from app.realtime import summaries
from app.services import tokens, views
from tests.conftest import events

NOW = utcnow()
# Every row of one executemany names the same columns.
BLANK = {
    "last_seq": 0,
    "state": "open",
    "status": "open",
    "assignee_id": None,
    "waiting_since": None,
    "snoozed_until": None,
    "last_activity_at": NOW,
}


def insert(*rows: dict) -> list[int]:
    """Store conversations at once (Core executemany); returns their ids in order."""
    first = (db.session.scalar(sa.select(sa.func.max(Conversation.id))) or 0) + 1
    stored = [{"id": first + i, **BLANK, **row} for i, row in enumerate(rows)]
    db.session.execute(sa.insert(Conversation.__table__), stored)
    db.session.commit()
    return [row["id"] for row in stored]


def ago(minutes: float):
    return NOW - timedelta(minutes=minutes)


@pytest.fixture
def ben(app):
    ben = Agent(email="ben@example.com", name="Ben")
    ben.set_password("x")
    db.session.add(ben)
    db.session.commit()
    return ben


@pytest.fixture
def api(client, agent_token):
    """GET /api/v1/conversations as the agent; ``api(**query)`` -> response."""

    def get(token=agent_token, **query):
        headers = {"Authorization": f"Bearer {token}"}
        return client.get("/api/v1/conversations", query_string=query, headers=headers)

    return get


@pytest.fixture
def agent_socket(connect, agent_token):
    return lambda: connect(token=agent_token)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json
    return [summary["id"] for summary in response.json["conversations"]]


@pytest.fixture
def desk(agent, ben):
    """One conversation of each kind, named; the newest activity last."""
    names = [
        "mine",
        "bens",
        "unassigned",
        "snoozed",
        "resolved",
        "ended",
        "ended_mine",
        "snoozed_ended",
    ]
    rows = [
        {"state": "open", "assignee_id": agent.id},
        {"state": "open", "assignee_id": ben.id},
        {"state": "open"},
        {"state": "snoozed", "snoozed_until": NOW + timedelta(hours=1)},
        {"state": "resolved", "assignee_id": ben.id},
        {"state": "open", "status": "closed"},
        {"state": "open", "status": "closed", "assignee_id": agent.id},
        {"state": "snoozed", "status": "closed"},
    ]
    for minutes, row in zip(range(len(rows), 0, -1), rows, strict=True):
        row["last_activity_at"] = ago(minutes)
    return dict(zip(names, insert(*rows), strict=True))


@pytest.mark.parametrize(
    ("view", "members"),
    [
        ("mine", ["mine"]),
        ("unassigned", ["unassigned"]),
        ("open", ["mine", "bens", "unassigned"]),
        ("snoozed", ["snoozed"]),
        ("resolved", ["resolved", "ended", "ended_mine", "snoozed_ended"]),
        ("all", list(reversed(["mine", "bens", "unassigned", "snoozed", "resolved"]))),
    ],
)
def test_each_view_holds_its_conversations_latest_first(api, desk, view, members):
    expected = sorted((desk[name] for name in members), reverse=True)
    if view == "all":
        expected = sorted(desk.values(), reverse=True)
    assert ids(api(view=view)) == expected


def test_mine_is_the_callers_own(api, desk, ben):
    assert ids(api(view="mine", token=tokens.issue_token(ben))) == [desk["bens"]]


def test_summaries_say_the_state_and_the_assignee(api, desk):
    listed = {s["id"]: s for s in api(view="all").json["conversations"]}
    assert listed[desk["ended_mine"]]["state"] == "ended"
    assert listed[desk["snoozed"]]["state"] == "snoozed"
    assert listed[desk["bens"]]["assignee"] == {
        "id": listed[desk["bens"]]["assignee"]["id"],
        "name": "Ben",
    }
    assert listed[desk["unassigned"]]["assignee"] is None


def test_longest_waiting_first_then_the_rest_by_latest_activity(api):
    waiting_short, idle_old, waiting_long, idle_new, waiting_tie_a, waiting_tie_b = insert(
        {"last_activity_at": ago(1), "waiting_since": ago(5)},
        {"last_activity_at": ago(50)},
        {"last_activity_at": ago(2), "waiting_since": ago(30)},
        {"last_activity_at": ago(3)},
        {"last_activity_at": ago(4), "waiting_since": ago(10)},
        {"last_activity_at": ago(9), "waiting_since": ago(10)},
    )
    assert ids(api(view="open", sort="waiting")) == [
        waiting_long,
        waiting_tie_a,
        waiting_tie_b,
        waiting_short,
        idle_new,
        idle_old,
    ]
    assert ids(api(view="open")) == [
        waiting_short,
        waiting_long,
        idle_new,
        waiting_tie_a,
        waiting_tie_b,
        idle_old,
    ]


def expected_order(rows: list[dict], row_ids: list[int], sort: str) -> list[int]:
    pairs = list(zip(row_ids, rows, strict=True))
    latest = sorted(pairs, key=lambda p: (p[1]["last_activity_at"], p[0]), reverse=True)
    if sort == "latest":
        return [cid for cid, _ in latest]
    waiting = sorted(
        (p for p in pairs if p[1]["waiting_since"] is not None),
        key=lambda p: (p[1]["waiting_since"], p[0]),
    )
    return [cid for cid, _ in waiting] + [
        cid for cid, row in latest if row["waiting_since"] is None
    ]


def read_all(api, **query) -> list[int]:
    seen, cursor, pages = [], None, 0
    while True:
        response = api(**query, **({"cursor": cursor} if cursor else {}))
        seen += ids(response)
        pages += 1
        cursor = response.json["next_cursor"]
        if cursor is None:
            return seen
        assert pages < 10_000


@pytest.mark.parametrize("sort", ["latest", "waiting"])
def test_paging_reaches_every_one_of_10000_exactly_once_in_order(api, agent, sort):
    # Times repeat (ties are broken by id) and a tenth of the chats wait.
    rows = [
        {
            "last_activity_at": ago(n % 997),
            "waiting_since": ago(n % 89) if n % 10 == 0 else None,
            "state": "open",
        }
        for n in range(10_000)
    ]
    row_ids = insert(*rows)

    assert read_all(api, view="all", sort=sort, limit=200) == expected_order(rows, row_ids, sort)
    # Small pages cross the boundary between waiting chats and the rest too.
    some = read_all(api, view="open", sort=sort, limit=7)
    assert len(some) == len(set(some)) == 10_000


def test_a_change_between_pages_loses_and_repeats_nothing_else(api):
    row_ids = insert(*({"last_activity_at": ago(n)} for n in range(10)))
    first = api(view="all", limit=4)
    assert ids(first) == row_ids[:4]
    # The newest moves further up: it was read already, the rest follow on.
    db.session.execute(
        sa.update(Conversation).where(Conversation.id == row_ids[0]).values(last_activity_at=NOW)
    )
    db.session.commit()
    second = api(view="all", limit=4, cursor=first.json["next_cursor"])
    assert ids(second) == row_ids[4:8]


def test_without_view_or_cursor_it_answers_as_before(api):
    row_ids = insert(*({"last_activity_at": ago(n)} for n in range(60)))
    answer = api()
    assert ids(answer) == row_ids[:50]
    assert "counts" not in answer.json
    assert ids(api(limit=200)) == row_ids


@pytest.mark.parametrize("limit", ["0", "201", "-1", "1.5", "abc", "9" * 40, ""])
def test_a_limit_out_of_range_is_invalid(api, limit):
    response = api(view="open", limit=limit)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid"


def test_limits_one_and_two_hundred_are_kept(api):
    insert(*({"last_activity_at": ago(n)} for n in range(201)))
    assert len(ids(api(view="all", limit=1))) == 1
    full = api(view="all", limit=200)
    assert len(ids(full)) == 200 and full.json["next_cursor"]


@pytest.mark.parametrize(("name", "value"), [("view", "everything"), ("sort", "oldest")])
def test_an_unknown_view_or_sort_is_invalid(api, name, value):
    response = api(**{name: value})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid"


def forged(app, *data) -> str:
    """A cursor signed with the server's key, holding anything."""
    return URLSafeSerializer(app.secret_key, salt="conversation-list-cursor").dumps(list(data))


GARBAGE = [
    "",
    "abc",
    "x" * 600,
    "eyJ.bad",
    "%00",
    "\x00",
    "\u00e9\u00e9",
]


@pytest.mark.parametrize("cursor", GARBAGE)
def test_a_garbage_cursor_is_invalid(api, cursor):
    response = api(view="open", cursor=cursor)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "invalid"


@pytest.mark.parametrize(
    "data",
    [
        ("open", "latest", "latest", "not a time", None, 1),
        ("open", "latest", "waiting", NOW.isoformat(), None, 1),
        ("open", "latest", "latest", NOW.isoformat(), None, "1"),
        ("open", "latest", "latest", NOW.isoformat(), None, 0),
        ("open", "latest", "latest", NOW.isoformat(), None, 2**40),
        ("open", "latest", "latest", NOW.isoformat(), None, True),
        ("open", "latest", "latest", 12, None, 1),
        ("open", "latest", "latest", NOW.isoformat(), None),
        ("open", "latest"),
        ({"view": "open"},),
    ],
)
def test_a_well_signed_cursor_of_nonsense_is_invalid(app, api, data):
    cursor = forged(app, *data) if len(data) > 1 else forged(app, data[0])
    response = api(view="open", cursor=cursor)
    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "invalid"


def test_a_cursor_is_tied_to_its_view_sort_and_signature(app, api):
    insert(*({"last_activity_at": ago(n)} for n in range(3)))
    cursor = api(view="open", limit=1).json["next_cursor"]
    assert api(view="open", limit=1, cursor=cursor).status_code == 200
    for other in ({"view": "all"}, {"sort": "waiting"}):
        response = api(**{"view": "open", "limit": 1, **other}, cursor=cursor)
        assert response.status_code == 400
    payload, _, signature = cursor.rpartition(".")
    tampered = f"{payload}.{signature[::-1]}"
    assert api(view="open", cursor=tampered).status_code == 400


def test_visitors_may_not_list(api, new_visitor):
    _cid, visitor_token = new_visitor()
    response = api(token=visitor_token, view="open")
    assert response.status_code == 403


def test_the_first_page_of_a_view_carries_the_counts(api, desk, agent, ben):
    counts = api(view="unassigned").json["counts"]
    assert counts == {
        "mine": 1,
        "unassigned": 1,
        "open": 3,
        "snoozed": 1,
        "resolved": 4,
        "all": 8,
        "by_assignee": {str(agent.id): 1, str(ben.id): 1},
    }
    first = api(view="all", limit=2)
    assert "counts" not in api(view="all", cursor=first.json["next_cursor"]).json


def test_counts_are_sent_live_when_they_change(client, agent_socket, new_visitor, agent):
    socket = agent_socket()
    conversation_id, _token = new_visitor()
    [counts] = events(socket, "counts")
    assert (counts["open"], counts["unassigned"], counts["all"]) == (1, 1, 1)

    new_visitor()
    assign(conversation_id, agent.id)
    summaries.send_now(conversation_id)
    # A summary that moves no count sends none.
    summaries.send_now(conversation_id)
    sent = events(socket, "counts")
    assert [(c["unassigned"], c["by_assignee"]) for c in sent] == [
        (2, {}),
        (1, {str(agent.id): 1}),
    ]

    headers = {"Authorization": f"Bearer {tokens.issue_token(agent)}"}
    deleted = client.delete(f"/api/v1/conversations/{conversation_id}", headers=headers)
    assert deleted.status_code == 204
    [after_delete] = events(socket, "counts")
    assert (after_delete["open"], after_delete["by_assignee"]) == (1, {})


def assign(conversation_id: int, agent_id: int | None) -> None:
    db.session.execute(
        sa.update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(assignee_id=agent_id)
    )
    db.session.commit()


@pytest.mark.parametrize("app", [{"CHAT_COUNTS_DELAY": 1.5}], indirect=True)
def test_counts_are_read_once_per_burst(app, agent_socket, new_visitor, monkeypatch):
    reads = []
    count = views.counts
    monkeypatch.setattr(views, "counts", lambda: reads.append(1) or count())
    socket = agent_socket()

    for _ in range(20):
        new_visitor()
    sent, deadline = [], time.monotonic() + 10
    while not sent and time.monotonic() < deadline:
        time.sleep(0.05)
        sent = events(socket, "counts")

    assert len(reads) == 1
    assert [counts["open"] for counts in sent] == [20]


def test_the_count_query_is_quick_on_10000_conversations(app, agent):
    insert(
        *(
            {
                "state": ("open", "snoozed", "resolved")[n % 3],
                "assignee_id": agent.id if n % 2 else None,
                "last_activity_at": ago(n),
            }
            for n in range(10_000)
        )
    )
    views.counts()  # warm
    started = time.perf_counter()
    for _ in range(10):
        counts = views.counts()
    per_read = (time.perf_counter() - started) / 10
    assert counts.all == 10_000 and counts.open == 3334
    assert per_read < 0.05, f"{per_read * 1000:.1f} ms"


PLANS = [(view, phase) for view in views.VIEWS for phase in ("latest", "waiting", "rest")]


def test_every_view_query_reads_an_index(app, agent):
    """Each view's page, in each phase of each sort, is read through an
    index, on SQLite and on PostgreSQL (given enough rows to choose one)."""
    if db.engine.dialect.name == "postgresql":
        insert(
            *(
                {
                    "state": ("open", "snoozed", "resolved")[n % 3],
                    "last_activity_at": ago(n),
                    "waiting_since": ago(n) if n % 50 == 0 else None,
                }
                for n in range(10_000)
            )
        )
        db.session.execute(sa.text("ANALYZE conversations"))
    for view, phase in PLANS:
        after = views.Position(phase, NOW, NOW if phase == "waiting" else None, 1)
        query = views._phase_query(phase, after).where(views.members(view, agent.id)).limit(51)
        plan = query_plan(query)
        assert "SCAN conversations" not in plan, (view, phase, plan)  # SQLite
        assert "Seq Scan on conversations" not in plan, (view, phase, plan)  # PostgreSQL


def test_the_count_query_reads_only_an_index(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's plan")
    plan = query_plan(views._ON_DESK)
    assert "COVERING INDEX ix_conversations_desk_counts" in plan


def query_plan(query) -> str:
    """The database's plan for a statement, as text."""
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    explain = "EXPLAIN QUERY PLAN" if db.engine.dialect.name == "sqlite" else "EXPLAIN"
    rows = db.session.execute(sa.text(f"{explain} {sql}")).all()
    return "\n".join(str(row[-1]) for row in rows)


def test_a_chat_the_visitor_ended_waits_no_more(api, new_visitor, client):
    conversation_id, token = new_visitor()
    change = sa.update(Conversation).where(Conversation.id == conversation_id)
    db.session.execute(change.values(waiting_since=ago(5)))
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        client.post(f"/api/v1/conversations/{conversation_id}/end", headers=headers).status_code
        == 204
    )
    [summary] = api(view="resolved", sort="waiting").json["conversations"]
    assert (summary["state"], summary["waiting_since"]) == ("ended", None)


def test_with_several_processes_every_burst_sends_its_counts(app, agent_socket, new_visitor):
    """Another process may have sent other counts since: repeating is right."""
    socket = agent_socket()
    conversation_id, _token = new_visitor()
    app.config["SOCKETIO_MESSAGE_QUEUE"] = "redis://127.0.0.1:1/0"  # read when counting
    summaries.send_now(conversation_id)
    assert [counts["open"] for counts in events(socket, "counts")] == [1, 1]


def query_part():
    """A query value: a meaningful one, or any text or bytes (percent-encoded)."""
    return st.one_of(
        st.sampled_from([b"mine", b"open", b"all", b"latest", b"waiting", b"1", b"200", b"0"]),
        st.text(max_size=8).map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.binary(max_size=8),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    query=st.dictionaries(
        st.sampled_from(["view", "sort", "limit", "cursor"]), query_part(), max_size=4
    )
)
def test_any_list_query_answers_a_page_or_invalid(client, agent_token, query):
    query_string = "&".join(f"{k}={urllib.parse.quote_from_bytes(v)}" for k, v in query.items())
    response = client.get(
        "/api/v1/conversations",
        query_string=query_string,
        headers={"Authorization": f"Bearer {agent_token}"},
    )
    db.session.rollback()
    values = {name: value.decode("utf-8", "replace") for name, value in query.items()}
    limit = values.get("limit", "1")
    valid = (
        values.get("view", "all") in views.VIEWS
        and values.get("sort", "latest") in views.SORTS
        and "cursor" not in values  # none of these is a cursor the server gave out
        and limit.isascii()
        and limit.isdigit()
        and len(limit) <= 16
        and 1 <= int(limit) <= 200
    )
    assert response.status_code == (200 if valid else 400), (query, response.json)
