"""Rating a resolved chat: by socket and API, once per resolution, changed
until the chat reopens; what agents and the visitor's other tabs see."""

import pytest
import sqlalchemy as sa

from app import db
from app.models import Rating
from app.services import lifecycle, ratings
from tests.test_events import drain
from tests.test_lifecycle import act, lines, received

MISSING = 10_000


@pytest.fixture
def chat(new_visitor, connect, agent_token, agent):
    """A visitor who wrote once, its socket, an agent socket, and the agent's id."""
    cid, token = new_visitor(name="Ana")
    visitor = connect(visitor_token=token)
    assert visitor.emit("send_message", {"client_id": "v1", "body": "Hi"}, callback=True)["ok"]
    agent_socket = connect(token=agent_token)
    drain(visitor, agent_socket)
    return {
        "id": cid,
        "token": token,
        "visitor": visitor,
        "agent": agent_socket,
        "agent_id": agent.id,
    }


def resolved(chat) -> dict:
    assert act(chat["agent"], "resolve", chat["id"])["ok"]
    drain(chat["visitor"], chat["agent"])
    return chat


def rate(socket, **payload):
    return socket.emit("rate", payload, callback=True)


def stored() -> list[tuple]:
    db.session.rollback()
    query = sa.select(Rating.conversation_id, Rating.score, Rating.comment, Rating.agent_id)
    return list(db.session.execute(query.order_by(Rating.id)))


def test_a_visitor_rates_a_resolved_chat_and_agents_see_it_live(chat):
    resolved(chat)
    answer = rate(chat["visitor"], score=4, comment="  Quick and kind  ")

    assert answer["ok"]
    assert answer["rating"]["score"] == 4
    assert answer["rating"]["comment"] == "Quick and kind"
    assert answer["rating"]["current"] is True and answer["can_rate"] is True
    assert stored() == [(chat["id"], 4, "Quick and kind", chat["agent_id"])]
    seen = received(chat["agent"])
    assert [line["kind"] for line in seen["activity"]] == ["rated"]
    assert seen["activity"][0]["body"] == "4 Quick and kind"
    assert seen["activity"][0]["actor"] is None
    assert seen["rating"][0]["rating"]["score"] == 4
    # The visitor's other tabs learn it too; a visitor never gets an activity line.
    visitor_events = received(chat["visitor"])
    assert "activity" not in visitor_events
    assert visitor_events["rating"][0]["rating"]["comment"] == "Quick and kind"


def test_the_visitor_changes_the_rating_until_the_chat_reopens(chat):
    resolved(chat)
    assert rate(chat["visitor"], score=2)["ok"]
    assert rate(chat["visitor"], score=5, comment="Sorted after all")["ok"]
    assert stored() == [(chat["id"], 5, "Sorted after all", chat["agent_id"])]

    # The same again changes nothing and tells nobody.
    drain(chat["agent"])
    assert rate(chat["visitor"], score=5, comment="Sorted after all")["ok"]
    assert "rating" not in received(chat["agent"])

    assert act(chat["agent"], "reopen", chat["id"])["ok"]
    refused = rate(chat["visitor"], score=1)
    assert refused["error"]["code"] == "conflict"
    assert stored() == [(chat["id"], 5, "Sorted after all", chat["agent_id"])]
    assert [line.kind for line in lines(chat["id"])].count("rated") == 2


def test_each_resolution_is_rated_once(chat):
    resolved(chat)
    assert rate(chat["visitor"], score=3)["ok"]
    # The visitor writes again: the chat reopens, and is resolved a second time.
    assert chat["visitor"].emit(
        "send_message", {"client_id": "v2", "body": "One more"}, callback=True
    )["ok"]
    resolved(chat)
    state = ratings.state(chat["id"])
    assert state.rating.score == 3 and not state.current and state.can_rate

    assert rate(chat["visitor"], score=5)["ok"]
    assert [row.score for row in stored()] == [3, 5]
    assert ratings.state(chat["id"]).current


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"score": 0}, "invalid"),
        ({"score": 6}, "invalid"),
        ({"score": "5"}, "invalid"),
        ({"score": 4.0}, "invalid"),
        ({"score": True}, "invalid"),
        ({}, "invalid"),
        ({"score": 4, "comment": 5}, "invalid"),
        ({"score": 4, "comment": "x" * 4001}, "invalid"),
        ({"score": 4, "comment": "x" * 1001}, "too_large"),
        ({"score": 4, "comment": "a\x00b"}, "invalid"),
    ],
)
def test_bad_ratings_are_refused_and_store_nothing(chat, payload, code):
    resolved(chat)
    assert chat["visitor"].emit("rate", payload, callback=True)["error"]["code"] == code
    assert stored() == []


def test_a_comment_of_exactly_the_limit_is_kept_and_a_blank_one_is_none(chat):
    resolved(chat)
    assert rate(chat["visitor"], score=4, comment="é" * 1000)["ok"]
    assert rate(chat["visitor"], score=4, comment=" \u200b ")["rating"]["comment"] is None


def test_an_open_chat_cannot_be_rated(chat):
    assert rate(chat["visitor"], score=5)["error"]["code"] == "conflict"
    assert stored() == []


def test_agents_cannot_rate(chat):
    resolved(chat)
    answer = chat["agent"].emit("rate", {"conversation_id": chat["id"], "score": 5}, callback=True)
    assert answer["error"]["code"] == "forbidden"
    assert stored() == []


def test_rating_is_rate_limited_per_visitor(chat, app):
    app.config["CHAT_RATING_RATE"] = "3 per minute"
    resolved(chat)
    codes = [rate(chat["visitor"], score=n).get("error", {}).get("code") for n in (1, 2, 3, 4)]
    assert codes == [None, None, None, "rate_limited"]
    assert [row.score for row in stored()] == [3]


# --- over HTTP ------------------------------------------------------------------


def auth(token) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_rating_over_http(chat, client, agent_token):
    url = f"/api/v1/conversations/{chat['id']}/rating"
    before = client.get(url, headers=auth(chat["token"]))
    assert before.status_code == 200
    assert before.json == {"conversation_id": chat["id"], "rating": None, "can_rate": False}
    assert client.put(url, json={"score": 4}, headers=auth(chat["token"])).status_code == 409

    resolved(chat)
    answer = client.put(url, json={"score": 4, "comment": "Good"}, headers=auth(chat["token"]))
    assert answer.status_code == 200
    assert answer.json["rating"]["score"] == 4
    assert received(chat["agent"])["rating"][0]["rating"]["comment"] == "Good"

    for token in (chat["token"], agent_token):
        read = client.get(url, headers=auth(token)).json
        assert read["rating"]["score"] == 4 and read["rating"]["current"] and read["can_rate"]


def test_http_rating_refuses_bad_bodies_other_visitors_and_agents(
    chat, client, agent_token, new_visitor
):
    resolved(chat)
    url = f"/api/v1/conversations/{chat['id']}/rating"
    headers = auth(chat["token"])
    assert client.put(url, json={"score": 9}, headers=headers).status_code == 400
    assert client.put(url, data="[1]", headers=headers).status_code == 400
    big = {"score": 3, "comment": "y" * 1001}
    assert client.put(url, json=big, headers=headers).json["error"]["code"] == "too_large"
    _, other_token = new_visitor()
    assert client.put(url, json={"score": 1}, headers=auth(other_token)).status_code == 403
    assert client.get(url, headers=auth(other_token)).status_code == 403
    assert client.put(url, json={"score": 1}, headers=auth(agent_token)).status_code == 403
    assert client.get(url).status_code == 401
    assert (
        client.get(f"/api/v1/conversations/{MISSING}/rating", headers=auth(agent_token)).status_code
        == 404
    )
    assert stored() == []


def test_deleting_a_conversation_deletes_its_ratings(chat, client, agent_token):
    resolved(chat)
    assert rate(chat["visitor"], score=5)["ok"]
    assert (
        client.delete(f"/api/v1/conversations/{chat['id']}", headers=auth(agent_token)).status_code
        == 204
    )
    assert stored() == []


def test_an_unassigned_chat_rates_the_agent_who_resolved_it(chat):
    line = lifecycle.resolve(chat["id"], lifecycle.Actor(chat["agent_id"], "Tess"))
    assert line is not None
    rated = ratings.rate(chat["id"], 2, None)
    assert rated.rating.agent_id == chat["agent_id"]


def test_a_widget_on_an_allowed_site_may_read_and_put_a_rating(app, chat, client):
    shop = "https://shop.example"
    app.config["CHAT_ALLOWED_ORIGINS"] = [shop]
    response = client.options(
        f"/api/v1/conversations/{chat['id']}/rating",
        headers={
            "Origin": shop,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.headers["Access-Control-Allow-Origin"] == shop
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    resolved(chat)
    put = client.put(
        f"/api/v1/conversations/{chat['id']}/rating",
        json={"score": 5},
        headers={**auth(chat["token"]), "Origin": shop},
    )
    assert put.status_code == 200 and put.headers["Access-Control-Allow-Origin"] == shop
