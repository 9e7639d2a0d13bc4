"""Full-text search: GET /api/v1/search and the service behind it.

Runs on SQLite, and on PostgreSQL through tests/test_search_postgres.py
(``TEST_DATABASE_URL``), where the query plan is checked as well.
"""

import itertools
from datetime import datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import db
from app.models import Conversation, Message
from app.services import conversations, search, search_postgres
from app.services.messages import post_message
from tests.test_api import assert_error, basic, bearer

client_ids = itertools.count()


@pytest.fixture
def chat(app):
    """``chat(*bodies, name=, email=)``: a conversation with these messages
    (visitor first, then agent, in turn); returns its id."""

    def start(*bodies, name=None, email=None):
        conversation, _token = conversations.create_conversation(name, email, None)
        for number, body in enumerate(bodies):
            sender = "visitor" if number % 2 == 0 else "agent"
            post_message(conversation.id, sender, "Tess", f"c{next(client_ids)}", body)
        return conversation.id

    return start


@pytest.fixture
def find(client, agent_token):
    """``find(q, **params)``: the search's JSON answer (asserted 200)."""

    def run(q, **params):
        response = client.get(
            "/api/v1/search", query_string={"q": q, **params}, headers=bearer(agent_token)
        )
        assert response.status_code == 200, response.data
        return response.json

    return run


def found(answer) -> list[tuple[int, int | None]]:
    """(conversation id, message seq or None) of each hit, in order."""
    return [
        (hit["conversation"]["id"], hit["message"] and hit["message"]["seq"])
        for hit in answer["hits"]
    ]


def marked(hit) -> list[str]:
    return [part["text"] for part in hit["snippet"] if part["mark"]]


def test_every_word_must_match_in_one_message(chat, find):
    cid = chat("I would like a refund please", "Your refund is on its way", "thanks")
    assert found(find("refund please")) == [(cid, 1)]
    assert found(find("refund")) == [(cid, 2), (cid, 1)]
    assert found(find("refund thanks")) == []


def test_each_word_is_also_a_prefix(chat, find):
    cid = chat("Where is my refund?", "Refunding takes a week")
    assert found(find("refun")) == [(cid, 2), (cid, 1)]
    assert found(find("refunding")) == [(cid, 2)]
    assert found(find("efund")) == []  # a prefix, not any part of a word


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("Le café est fermé", "cafe"),
        ("Le cafe est ferme", "café"),
        ("Le CAFÉ est fermé", "Café FERME"),
        ("Déjà vu", "DEJ"),
        ("Grüße aus Köln", "kol"),
    ],
)
def test_accents_and_case_are_ignored_both_ways(chat, find, stored, query):
    cid = chat(stored)
    assert found(find(query)) == [(cid, 1)]


def test_hits_come_newest_first_with_a_cursor_for_more(chat, find):
    older = chat(*[f"invoice number {n}" for n in range(4)])
    newer = chat("invoice again", "no invoice")
    first = find("invoice", limit=3)
    assert found(first) == [(newer, 2), (newer, 1), (older, 4)]
    second = find("invoice", limit=3, cursor=first["next_cursor"])
    assert found(second) == [(older, 3), (older, 2), (older, 1)]
    assert second["next_cursor"] is None


def test_pages_of_messages_and_visitors_show_every_hit_once_in_order(chat, find):
    first = chat("kiwi one", name="Kiwi Fan")
    second = chat("nothing", "kiwi two")
    third = chat("hi", name="kiwi lover", email="kiwi@example.com")
    everything = found(find("kiwi", limit=50))
    assert sorted(everything, key=str) == sorted(
        [(first, 1), (first, None), (second, 2), (third, None)], key=str
    )
    paged, cursor = [], None
    for _ in range(10):
        answer = find("kiwi", limit=1, **({"cursor": cursor} if cursor else {}))
        paged += found(answer)
        cursor = answer["next_cursor"]
        if cursor is None:
            break
    assert paged == everything


def test_the_whole_history_is_searchable(app, chat, find):
    cid = chat("an order from long ago", *[f"filler {n}" for n in range(150)])
    db.session.execute(sa.update(Message).values(created_at=datetime(2019, 1, 1)))
    db.session.commit()
    assert found(find("order")) == [(cid, 1)]


def test_the_visitors_name_and_email_are_searched(chat, find):
    cid = chat("hello", name="Zoë Martin", email="zoe.martin@example.com")
    other = chat("Zoe is my colleague")
    answer = find("zoe")
    assert found(answer) == [(other, 1), (cid, None)]
    visitor_hit = answer["hits"][1]
    assert visitor_hit["message"] is None
    assert marked(visitor_hit) == ["Zoë", "zoe"]
    assert found(find("martin@example")) == [(cid, None)]


def test_a_renamed_visitor_is_found_by_the_new_name_only(chat, find):
    cid = chat("hello", name="Old Name")
    db.session.get(Conversation, cid).visitor_name = "Brand New"
    db.session.commit()
    assert found(find("brand")) == [(cid, None)]
    assert found(find("old")) == []


def test_a_deleted_conversation_is_not_found(chat, find):
    cid = chat("secret plans", name="Secret Agent")
    kept = chat("secret recipe")
    conversations.delete_conversation(cid)
    assert found(find("secret")) == [(kept, 1)]
    if db.engine.dialect.name == "sqlite":  # gone from the index itself, not only hidden
        for table in ("search_messages", "search_visitors"):
            match = f"SELECT count(*) FROM {table} WHERE {table} MATCH 'secret'"
            assert db.session.scalar(sa.text(match)) == (1 if table == "search_messages" else 0)
            # FTS5 compares the index with the rows; it raises if they differ.
            check = f"INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)"
            db.session.execute(sa.text(check))


def test_a_hit_carries_the_summary_and_a_snippet_with_the_words_marked(chat, find):
    cid = chat("hi", "Your Refund for the café order is ready; refunds take a day")
    hit = find("refund cafe")["hits"][0]
    assert hit["conversation"]["id"] == cid
    assert hit["conversation"]["last_message"]["seq"] == 2
    assert hit["message"]["seq"] == 2
    assert hit["message"]["sender"] == "agent"
    assert marked(hit) == ["Refund", "café", "refunds"]
    assert "".join(part["text"] for part in hit["snippet"]) == hit_text(cid, 2)


def hit_text(cid, seq):
    return db.session.scalar(
        sa.select(Message.body).where(Message.conversation_id == cid, Message.seq == seq)
    )


def test_a_snippet_of_a_long_message_shows_the_match(chat, find):
    body = "word " * 200 + "needle in the haystack " + "word " * 200
    chat(body)
    snippet = find("needle")["hits"][0]["snippet"]
    text = "".join(part["text"] for part in snippet)
    assert text.startswith("…") and text.endswith("…")
    assert len(text) <= search.SNIPPET_CHARS + 2
    assert [p["text"] for p in snippet if p["mark"]] == ["needle"]


def test_private_notes_are_not_searched(app, chat, find):
    from app.services import activity

    cid = chat("hello")
    activity.record(cid, "note", None, "Tess", None, "confidential remark")
    db.session.commit()
    assert found(find("confidential")) == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "NEAR(",
        "NEAR(refund order)",
        "OR",
        "refund OR order",
        "-refund",
        "body:refund",
        "'",
        "&|!",
        "refund & !order",
        "refund:*",
        "^refund",
        "(((",
        "\\",
        "%_",
        "a'b\"c",
        "🙂",
        "NOT",
        "AND AND",
    ],
)
def test_syntax_in_the_query_is_only_text(chat, find, query):
    chat("refund order OR NOT and body near")
    answer = find(query)  # asserts 200
    assert isinstance(answer["hits"], list)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=220) | st.text(alphabet="\"*-:^()&|!'\\ NEARORAND", max_size=40))
def test_any_query_finds_hits_or_is_invalid(chat_with_words, client, agent_token, query):
    response = client.get("/api/v1/search", query_string={"q": query}, headers=bearer(agent_token))
    assert response.status_code in (200, 400), (query, response.data)
    if response.status_code == 200:
        assert isinstance(response.json["hits"], list)


@pytest.fixture
def chat_with_words(chat):
    return chat("refund order OR NOT and near café", name="Zoë", email="zoe@example.com")


def test_operators_are_searched_as_words(chat, find):
    cid = chat("either this or that")
    chat("this alone")
    assert found(find("this OR that")) == [(cid, 1)]
    assert found(find("-that")) == [(cid, 1)]


def test_a_query_of_only_punctuation_finds_nothing(chat, find):
    chat("!!! ??? ...")
    assert find("!?.,;:")["hits"] == []
    assert find("!?.,;:")["next_cursor"] is None


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "x" * 201},
        {"q": "x", "limit": "0"},
        {"q": "x", "limit": "51"},
        {"q": "x", "limit": "many"},
        {"q": "x", "cursor": "garbage"},
        {"q": "x", "cursor": "1.2.3"},
        {"q": "x", "cursor": "-1.5"},
        {"q": " ".join(["word"] * 17)},
    ],
)
def test_bad_searches_are_invalid(client, agent_token, params):
    response = client.get("/api/v1/search", query_string=params, headers=bearer(agent_token))
    assert_error(response, 400, "invalid")


def test_a_query_at_the_limits_is_accepted(chat, find):
    chat("word")
    assert find("w" * 200)["hits"] == []
    assert len(find(" ".join(["word"] * 16), limit=50)["hits"]) == 1


def test_only_agents_may_search(client, new_visitor):
    _cid, visitor_token = new_visitor(name="Ana")
    assert_error(client.get("/api/v1/search?q=ana"), 401, "unauthorized")
    response = client.get("/api/v1/search?q=ana", headers=bearer(visitor_token))
    assert_error(response, 403, "forbidden")
    response = client.get("/api/v1/search?q=ana", headers=basic("a@example.com", "x"))
    assert_error(response, 401, "unauthorized")


@pytest.mark.parametrize("app", [{"CHAT_SEARCH_RATE": "3 per minute"}], indirect=True)
def test_searches_are_rate_limited(client, agent_token):
    for _ in range(3):
        assert client.get("/api/v1/search?q=x", headers=bearer(agent_token)).status_code == 200
    response = client.get("/api/v1/search?q=x", headers=bearer(agent_token))
    assert_error(response, 429, "rate_limited")


def test_postgres_search_uses_the_gin_index(app, chat):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (tests/test_search_postgres.py)")
    cid = chat("the rare word zanzibar")
    rows = [
        {"conversation_id": cid, "seq": seq, "client_id": f"b{seq}", "sender": "visitor",
         "author_name": "Ana", "body": f"ticket {seq} about shipping"}
        for seq in range(2, 20_002)
    ]  # fmt: skip
    db.session.execute(sa.insert(Message), rows)
    db.session.commit()
    db.session.execute(sa.text("ANALYZE messages"))
    words = search_postgres.lexemes(search.words("Zanzíb"))
    assert search_postgres.plan_for("messages", words) == "from the index"
    assert search_postgres.plan_for("messages", search_postgres.lexemes(["ticket"])) == "in order"
    compiled = search.message_query(words, None, 21).compile(db.engine)
    for setting in search_postgres.PINNED["from the index"]:  # as execute_pinned does
        db.session.execute(sa.text(f"SET LOCAL {setting} = off"))
    explain = db.session.connection().exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
    plan = "\n".join(row[0] for row in explain)
    assert "Bitmap Index Scan on search_messages" in plan, plan
    db.session.rollback()
    assert [hit.message.seq for hit in search.search("Zanzíb").hits] == [1]
