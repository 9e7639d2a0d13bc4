"""Bad input to the webhooks API: generated bodies and ids, never a 5xx.

Every answer is a 2xx or a 4xx JSON error with the code its status means,
and a refused request leaves the endpoints as they were. Only public
addresses may be registered here (the desk setting is off).
"""

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from app import db
from app.models import WebhookEndpoint
from app.services import tokens, webhooks
from tests.test_fuzz import FUZZ, STATUS_CODE, anything, short_text, texts, to_json

ROUTES = [
    "POST /api/v1/admin/webhooks",
    "PATCH /api/v1/admin/webhooks/{id}",
    "POST /api/v1/admin/webhooks/{id}/secret",
    "GET /api/v1/admin/webhooks/{id}/deliveries",
    "POST /api/v1/admin/webhooks/{id}/deliveries/{delivery}/send",
    "DELETE /api/v1/admin/webhooks/{id}",
]
URLS = st.one_of(
    st.sampled_from(
        [
            "https://93.184.215.14/hook",
            "http://127.0.0.1/x",
            "http://[::1]:8080/",
            "http://10.0.0.1/",
            "http://169.254.169.254/",
            "ftp://93.184.215.14/",
            "http://93.184.215.14:99999/",
            "http://[zz]/",
            "https:///nohost",
            "http://93.184.215.14/\x00",
        ]
    ),
    texts,
)
EVENTS = st.one_of(
    st.lists(st.sampled_from(list(webhooks.EVENTS) + ["message.deleted", ""]), max_size=8),
    anything,
)
PLAUSIBLE = {"url": URLS, "description": st.one_of(texts, anything), "events": EVENTS}


def bodies():
    plausible = st.fixed_dictionaries({}, optional=PLAUSIBLE)
    with_extra = st.builds(lambda b, k, v: {**b, k: v}, plausible, short_text, anything)
    return st.one_of(plausible, plausible, with_extra, anything).map(to_json)


def endpoints_state():
    db.session.rollback()
    return db.session.execute(sa.select(WebhookEndpoint.__table__)).all()


@pytest.fixture
def admin_token(agent):
    agent.role = "admin"
    db.session.commit()
    return tokens.issue_token(agent)


@pytest.fixture
def endpoint_id(app):
    return webhooks.register("https://93.184.215.14/hook", "CRM", ["message.created"]).id


@settings(FUZZ, max_examples=300)
@given(data=st.data())
def test_webhook_requests_answer_4xx_with_a_code_never_5xx(client, admin_token, endpoint_id, data):
    route = data.draw(st.sampled_from(ROUTES), label="route")
    method, path = route.split(" ")
    ids = st.sampled_from([str(endpoint_id), str(endpoint_id), "999", "0", "99999999999"])
    delivery = st.one_of(st.just("msg_0"), st.text(alphabet="abc_%20é", max_size=60))
    path = path.format(id=data.draw(ids, label="id"), delivery=data.draw(delivery, label="d"))
    body = data.draw(bodies(), label="body")
    before = endpoints_state()

    response = client.open(
        path,
        method=method,
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {admin_token}"},
    )

    db.session.rollback()
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        error = response.json["error"]
        assert error["code"] == STATUS_CODE[response.status_code], error
        assert endpoints_state() == before, "a refused request changed the endpoints"
    for url in db.session.scalars(sa.select(WebhookEndpoint.url)):
        assert url.startswith(("http://", "https://")) and "127.0.0.1" not in url
