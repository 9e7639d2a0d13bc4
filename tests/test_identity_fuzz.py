"""Anything a host page or a visitor's browser may send as an identity or a
context is answered with a protocol code, never a 5xx; a refused identity
stores nothing."""

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from app.services import identity
from tests.test_fuzz import FUZZ, anything, numbers, short_text, texts, to_json

user_ids = st.one_of(texts, numbers, st.sampled_from(["u-1", "42", "é" * 300]))
hashes = st.one_of(texts, st.text("0123456789abcdefABCDEF", min_size=60, max_size=66))
identities = st.one_of(
    anything,
    st.fixed_dictionaries(
        {},
        optional={
            "user_id": user_ids,
            "user_hash": hashes,
            "name": texts,
            "email": st.one_of(texts, st.just("a@b.example")),
        },
    ),
)
contexts = st.one_of(
    anything,
    st.fixed_dictionaries(
        {},
        optional={
            "page_title": texts,
            "referrer": st.one_of(texts, st.just("https://a.example/b?c=d")),
            "language": st.one_of(short_text, st.just("pt-BR")),
            "time_zone": st.one_of(short_text, st.sampled_from(["UTC", "Europe/Madrid", "../x"])),
            "first_seen_at": st.one_of(numbers, texts),
        },
    ),
)


def answer_is_a_code(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    if response.status_code >= 400:
        assert response.json["error"]["code"] in {
            "invalid",
            "unauthorized",
            "forbidden",
            "conflict",
            "too_large",
            "rate_limited",
        }


@FUZZ
@given(who=identities, context=contexts, sign=st.booleans())
def test_any_identity_or_context_is_answered_never_5xx(client, who, context, sign):
    secret = (identity.current_secret() or identity.roll_secret())["secret"]
    if sign and isinstance(who, dict) and isinstance(who.get("user_id"), str):
        message = who["user_id"].encode("utf-8", "surrogatepass")
        who = {**who, "user_hash": hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()}
    for path, body in (
        ("/api/v1/conversations", {"identity": who, "context": context}),
        ("/api/v1/identify", {"identity": who}),
    ):
        response = client.post(path, data=to_json(body), content_type="application/json")
        answer_is_a_code(response)
