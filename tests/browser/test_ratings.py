"""Rating a resolved chat in the widget, with the keyboard, and seeing the
rating live in the agent's inbox."""

from playwright.sync_api import expect

from tests.browser.chromium import BROWSER_TESTS
from tests.harness.api import expect_status

pytestmark = BROWSER_TESTS

SHOT = {"animations": "disabled", "caret": "hide", "scale": "css"}


def rating_of(server, conversation_id: int) -> dict | None:
    response = server.api("GET", f"/conversations/{conversation_id}/rating")
    return expect_status(response, 200).json()["rating"]


def test_the_visitor_rates_with_the_keyboard_and_the_agent_sees_it_live(
    server, visitor, agent, screenshots_dir
):
    widget = visitor()
    cid = widget.start_conversation("My bike's bell is missing")
    inbox = agent().open(cid)
    prompt = widget.page.get_by_role("region", name="Rate this chat")
    expect(prompt).to_be_hidden()

    expect_status(server.api("POST", f"/conversations/{cid}/resolve"), 200)
    expect(prompt.get_by_text("How was this chat?")).to_be_visible()
    stars = prompt.get_by_role("radiogroup", name="How was this chat?")
    expect(stars.get_by_role("radio")).to_have_count(5)

    # Keyboard only: into the group, arrows to the fourth star, Tab to the comment.
    stars.get_by_role("radio", name="1 of 5, Terrible").focus()
    for _ in range(3):
        widget.page.keyboard.press("ArrowRight")
    expect(stars.get_by_role("radio", name="4 of 5, Good")).to_be_checked()
    expect(prompt.get_by_text("Good", exact=True)).to_be_visible()
    widget.page.keyboard.press("Tab")
    widget.page.keyboard.type("Sent a new bell the same day")
    widget.page.screenshot(path=screenshots_dir / "widget-rating.png", **SHOT)
    prompt.get_by_role("button", name="Send rating").click()

    expect(prompt.get_by_text("Thanks for your rating")).to_be_visible()
    assert rating_of(server, cid)["score"] == 4
    pill = inbox.page.locator("#conversation-rating")
    expect(pill).to_have_text("★ 4/5")
    expect(pill).to_have_attribute(
        "aria-label", "Rated 4 of 5 (Good): “Sent a new bell the same day”"
    )
    expect(inbox.page.locator('.activity-line[data-kind="rated"]')).to_contain_text(
        "The visitor rated this 4 of 5 (Good)"
    )

    # A change of mind, while the chat stays resolved.
    prompt.get_by_role("button", name="Change your rating (4 of 5)").click()
    expect(stars.get_by_role("radio", name="4 of 5, Good")).to_be_focused()
    widget.page.keyboard.press("ArrowRight")
    prompt.get_by_role("button", name="Send rating").click()
    expect(pill).to_have_text("★ 5/5")
    assert rating_of(server, cid)["score"] == 5

    # Writing again reopens the chat: the prompt goes, the rating stays.
    widget.send("One more thing")
    expect(prompt).to_be_hidden()
    expect(pill).to_have_text("★ 5/5")


def test_a_reload_shows_the_rating_given_not_the_prompt(server, visitor):
    widget = visitor()
    cid = widget.start_conversation("Do you ship to Norway?")
    expect_status(server.api("POST", f"/conversations/{cid}/resolve"), 200)
    prompt = widget.page.get_by_role("region", name="Rate this chat")
    prompt.locator(".lc-rating__star").nth(1).click()  # the second star, by mouse
    prompt.get_by_role("button", name="Send rating").click()
    expect(prompt.get_by_text("Thanks for your rating")).to_be_visible()

    widget.page.reload()
    widget.ready().open()
    expect(prompt.get_by_text("Thanks for your rating")).to_be_visible()
    expect(prompt.get_by_role("button", name="Change your rating (2 of 5)")).to_be_visible()
