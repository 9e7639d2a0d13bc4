"""Bad input to the admin API: generated bodies, never a 5xx.

Every answer is a 2xx or a 4xx JSON error with the code its status means;
a refused request leaves agents and settings as they were. The settings
body has a small model: only ``{"auto_assign": true|false}`` may pass.
"""

import json

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from app import db
from app.models import Agent, AgentLogin, ApiToken, Setting
from app.services import tokens
from tests.test_fuzz import FUZZ, STATUS_CODE, anything, short_text, texts, to_json

FIELDS = {
    "POST /api/v1/admin/agents": ["email", "name", "password", "role"],
    "PATCH /api/v1/admin/agents/{id}": ["name", "role", "disabled"],
    "POST /api/v1/admin/agents/{id}/password": ["password"],
    "PATCH /api/v1/settings": ["auto_assign"],
}
PLAUSIBLE = {
    "email": st.one_of(st.just("cy@example.com"), texts),
    "name": st.one_of(st.just("Cy"), texts),
    "password": st.one_of(st.just("a long password"), texts),
    "role": st.sampled_from(["agent", "admin", "Admin", "", "owner"]),
    "disabled": st.one_of(st.booleans(), st.none()),
    "auto_assign": st.one_of(st.booleans(), st.booleans(), anything),
}


def bodies(route: str):
    """A plausible body, sometimes with an unknown key, or anything at all."""
    names = FIELDS[route]
    plausible = st.fixed_dictionaries({}, optional={name: PLAUSIBLE[name] for name in names})
    with_extra = st.builds(lambda b, k, v: {**b, k: v}, plausible, short_text, anything)
    return st.one_of(plausible, plausible, with_extra, anything).map(to_json)


def desk_state():
    db.session.rollback()
    rows = []
    for model in (Agent, AgentLogin, ApiToken, Setting):
        # A token's last use changes with any request it makes, refused or not.
        columns = [c for c in model.__table__.columns if c.name != "last_used_at"]
        rows.append(db.session.execute(sa.select(*columns)).all())
    return rows


def settings_pass(body: str) -> bool:
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return (
        isinstance(value, dict)
        and bool(value)
        and set(value) == {"auto_assign"}
        and isinstance(value["auto_assign"], bool)
    )


@pytest.fixture
def admin_token(agent):
    agent.role = "admin"
    db.session.commit()
    return tokens.issue_token(agent)


@pytest.fixture
def ben(app):
    ben = Agent(email="ben@example.com", name="Ben", password_hash="x")
    db.session.add(ben)
    db.session.commit()
    return ben.id


@settings(FUZZ, max_examples=400)
@given(data=st.data())
def test_admin_requests_answer_4xx_with_a_code_never_5xx(client, admin_token, ben, data):
    route = data.draw(st.sampled_from(sorted(FIELDS)), label="route")
    method, path = route.split(" ")
    path = path.format(id=data.draw(st.sampled_from([ben, ben, 999]), label="id"))
    body = data.draw(bodies(route), label="body")
    before = desk_state()

    response = client.open(
        path,
        method=method,
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {admin_token}"},
    )

    db.session.rollback()
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if route == "PATCH /api/v1/settings":
        assert (response.status_code == 200) is settings_pass(body), response.json
    if response.status_code >= 400:
        error = response.json["error"]
        assert error["code"] == STATUS_CODE[response.status_code], error
        assert desk_state() == before, "a refused request changed the desk"
