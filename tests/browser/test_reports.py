"""The Reports admin page: charts drawn under the app's CSP, a table beside
each, a period to choose, CSV downloads, and a phone's width."""

import csv
import io

import socketio
from playwright.sync_api import Page, expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.test_admin import admin_page
from tests.harness.api import expect_status

pytestmark = BROWSER_TESTS


def rated_conversation(server, score: int) -> int:
    """A conversation the visitor wrote, the agent answered and resolved,
    and the visitor rated ``score`` (over the socket and the API)."""
    conversation_id, token = server.new_conversation(name=f"Rita {score}")
    visitor = socketio.Client(reconnection=False)
    visitor.connect(server.url, auth={"visitor_token": token}, transports=["polling"])
    agent = socketio.Client(reconnection=False)
    agent.connect(server.url, auth={"token": server.agent_token}, transports=["polling"])
    try:
        said = visitor.call("send_message", {"client_id": "v1", "body": "It flickers"}, timeout=10)
        answer = {"conversation_id": conversation_id, "client_id": "a1", "body": "Try this"}
        assert said["ok"] and agent.call("send_message", answer, timeout=10)["ok"]
        assert agent.call("resolve", {"conversation_id": conversation_id}, timeout=10)["ok"]
    finally:
        visitor.disconnect()
        agent.disconnect()
    response = server.http.put(
        f"{server.url}/api/v1/conversations/{conversation_id}/rating",
        json={"score": score, "comment": "Thanks"},
        headers={"Authorization": f"Bearer {token}"},
    )
    expect_status(response, 200)
    return conversation_id


def csp_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return errors


def open_reports(server, new_context, **options) -> tuple[Page, list[str]]:
    page, _ = admin_page(server, new_context, **options)
    errors = csp_errors(page)
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url(f"{server.url}/admin/reports?*")
    expect(page.locator("#report-body")).to_have_attribute("aria-busy", "false")
    return page, errors


def test_reports_show_the_figures_as_charts_tables_and_csv(server, new_context):
    conversation_id = rated_conversation(server, 4)
    rated_conversation(server, 5)

    page, errors = open_reports(server, new_context)
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    expect(page.locator("#report-zone")).to_have_text("Europe/Copenhagen")
    expect(page.locator("#tile-conversations")).not_to_have_text("–")
    expect(page.locator("#tile-rating")).to_contain_text("/ 5")
    # Chart.js drew on each canvas (its classic script is allowed by the CSP).
    for name in ("days", "ratings", "agents"):
        canvas = page.locator(f"#chart-{name}")
        assert page.evaluate(f"() => Boolean(Chart.getChart('chart-{name}'))")
        assert canvas.get_attribute("aria-label")
    assert not errors, errors

    # The table beside the ratings chart.
    ratings = page.get_by_role("figure", name="Ratings")
    ratings.get_by_text("Show as a table").click()
    four = ratings.get_by_role("row", name="4 – Good")
    expect(four).to_be_visible()
    assert int(four.get_by_role("cell").inner_text()) >= 1
    agents = page.get_by_role("region", name="Per agent")
    expect(agents.get_by_role("row", name="All agents")).to_be_visible()

    # The CSV downloads hold the same figures.
    with page.expect_download() as download:
        page.get_by_role("link", name="Every conversation").click()
    text = download.value.path().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    mine = [row for row in rows if row["conversation_id"] == str(conversation_id)]
    assert mine and mine[0]["rating"] == "4" and mine[0]["visitor"] == "Rita 4"
    link = page.get_by_role("link", name="Figures per agent").get_attribute("href")
    summary = page.request.get(f"{server.url}{link}")
    assert summary.ok and summary.text().startswith("agent,conversations,answered,resolved")

    # An earlier period, typed in: nothing then.
    page.get_by_label("From").fill("2020-01-01")
    page.get_by_label("To").fill("2020-01-31")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#tile-conversations")).to_have_text("0")
    expect(page.get_by_role("status")).to_contain_text("2020-01-01 to 2020-01-31")
    assert "from=2020-01-01" in page.url


def test_reports_at_phone_width(server, new_context):
    page, errors = open_reports(
        server, new_context, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    expect(page.locator("#tile-conversations")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert not errors, errors


def test_a_plain_agent_gets_403_on_reports(server, agent):
    inbox = agent()
    response = inbox.page.goto(f"{server.url}/admin/reports")
    assert response.status == 403
