"""The Reports page's screenshots in docs/screenshots/, from a desk with a
month behind it: a server of its own whose database gets four weeks of
conversations (written straight into it, since the clock cannot be turned
back over the API), answered, resolved and rated at known paces."""

import random
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app import create_app, db
from app.clock import utcnow
from app.models import Activity, Agent, Conversation, Message, Rating
from config import TestConfig
from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import log_in, serving_chat
from tests.harness.credentials import AGENT_EMAIL

pytestmark = BROWSER_TESTS

SHOT = {"animations": "disabled", "caret": "hide", "scale": "css", "full_page": True}

# Each agent's pace: first reply and resolution, in seconds (low, high), and
# the scores their visitors give (weights of 1 to 5).
PACES = {
    "Tess": ((20, 150), (600, 3600), (0, 0, 1, 4, 9)),
    "Ben": ((40, 420), (1200, 7200), (1, 1, 2, 5, 6)),
    "Mia": ((30, 240), (900, 5400), (0, 1, 1, 4, 7)),
}
NAMES = ["Maja", "Omar", "Lena", "Kenji", "Sofia", "Ravi", "Ines", "Tom", "Aiko", "Jonas"]


def seed_month(database_url: str, seed: int = 12) -> None:
    """Four weeks of conversations, more on weekdays, in the server's database."""
    app = create_app(type("Seeding", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url}))
    rng = random.Random(seed)
    with app.app_context():
        agents = {}
        for name in PACES:
            agent = db.session.query(Agent).filter_by(name=name).one_or_none()
            if agent is None:
                agent = Agent(email=f"{name.lower()}@example.com", name=name, password_hash="!")
                db.session.add(agent)
            agents[name] = agent
        db.session.flush()
        now = utcnow()
        for day in range(27, -1, -1):
            midnight = (now - timedelta(days=day)).replace(hour=0, minute=0, second=0)
            weekday = midnight.weekday() < 5
            for _ in range(rng.randint(6, 14) if weekday else rng.randint(1, 5)):
                started = midnight + timedelta(minutes=rng.randint(7 * 60, 19 * 60))
                if started > now - timedelta(hours=3):
                    continue
                name = rng.choice(list(PACES))
                add_conversation(rng, agents[name], PACES[name], started)
        db.session.commit()
        db.engine.dispose()


def add_conversation(rng: random.Random, agent: Agent, pace, started) -> None:
    reply_range, resolve_range, weights = pace
    conversation = Conversation(
        visitor_name=rng.choice(NAMES),
        created_at=started,
        last_activity_at=started,
        assignee_id=agent.id,
        state="open",
    )
    db.session.add(conversation)
    db.session.flush()
    replied = started + timedelta(seconds=rng.randint(*reply_range))
    said = [("visitor", started, "Hello, a question about my order"), ("agent", replied, "Sure!")]
    for seq, (sender, at, body) in enumerate(said, start=1):
        db.session.add(
            Message(
                conversation_id=conversation.id,
                seq=seq,
                client_id=f"seed-{seq}",
                sender=sender,
                author_name=agent.name if sender == "agent" else conversation.visitor_name,
                body=body,
                created_at=at,
            )
        )
    conversation.last_seq = len(said)
    if rng.random() < 0.12:
        return  # still open
    resolved_at = started + timedelta(seconds=rng.randint(*resolve_range))
    conversation.state = "resolved"
    line = Activity(
        conversation_id=conversation.id,
        after_seq=conversation.last_seq,
        kind="resolved",
        agent_id=agent.id,
        actor_name=agent.name,
        created_at=resolved_at,
    )
    db.session.add(line)
    db.session.flush()
    if rng.random() < 0.6:
        score = rng.choices(range(1, 6), weights=weights)[0]
        db.session.add(
            Rating(
                conversation_id=conversation.id,
                resolution_id=line.id,
                agent_id=agent.id,
                score=score,
                created_at=resolved_at,
                updated_at=resolved_at,
            )
        )


@pytest.fixture(scope="module")
def month_server(tmp_path_factory):
    with serving_chat(tmp_path_factory.mktemp("reports-server")) as server:
        server.process.flask("agents", "set-role", AGENT_EMAIL, "admin")
        seed_month(server.process.database_url)
        yield server


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("reports.png", {}),
        (
            "reports-phone.png",
            {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
        ),
    ],
)
def test_reports_screenshots(month_server, new_context, screenshots_dir, name, options):
    page = new_context(**options).new_page()
    log_in(page, month_server.url, next_path="/admin/reports")
    expect(page.locator("#report-body")).to_have_attribute("aria-busy", "false")
    expect(page.locator("#tile-rating")).to_contain_text("/ 5")
    page.wait_for_timeout(400)  # the charts' short animation
    page.mouse.move(0, 0)
    page.screenshot(path=screenshots_dir / name, **SHOT)
