"""Export and delete in the inbox; end chat in the widget."""

import json

import requests
from playwright.sync_api import expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.pages import Inbox

pytestmark = BROWSER_TESTS


def test_export_downloads_the_transcript(visitor, agent):
    widget = visitor()
    conversation_id = widget.start_conversation("Please send me the invoice")
    inbox = agent().open(conversation_id)
    inbox.send("It is on its way")

    with inbox.page.expect_download() as download_info:
        inbox.export.click()
    download = download_info.value
    assert download.suggested_filename == f"conversation-{conversation_id}.json"
    transcript = json.loads(download.path().read_text())
    assert transcript["conversation"]["id"] == conversation_id
    assert [(m["sender"], m["body"]) for m in transcript["messages"]] == [
        ("visitor", "Please send me the invoice"),
        ("agent", "It is on its way"),
    ]
    # The inbox stays where it was.
    expect(inbox.message("It is on its way")).to_be_visible()


def test_delete_asks_first_then_removes_it_for_every_agent(server, visitor, agent):
    widget = visitor()
    conversation_id = widget.start_conversation("Delete me, please")
    keeper = visitor()
    kept_id = keeper.start_conversation("I stay")
    inbox = agent().open(conversation_id)
    # The same agent in a second tab, with the conversation open too.
    other_tab = Inbox(inbox.page.context.new_page())
    other_tab.page.goto(f"{server.url}/agent")
    other_tab.ready().open(conversation_id)

    # Asked first; Escape (or Cancel) keeps it.
    inbox.delete.click()
    expect(inbox.dialog).to_be_visible()
    expect(inbox.dialog).to_contain_text(f"Visitor #{conversation_id}")
    expect(inbox.dialog.get_by_role("button", name="Cancel")).to_be_focused()
    inbox.page.keyboard.press("Escape")
    expect(inbox.dialog).to_be_hidden()
    expect(inbox.delete).to_be_focused()
    inbox.delete.click()
    inbox.dialog.get_by_role("button", name="Cancel").click()
    expect(inbox.dialog).to_be_hidden()
    expect(inbox.row(conversation_id)).to_be_visible()
    assert server.bodies(conversation_id) == ["Delete me, please"]

    # Confirmed with the keyboard: Tab to "Delete", Enter.
    inbox.delete.press("Enter")
    expect(inbox.dialog).to_be_visible()
    inbox.page.keyboard.press("Tab")
    expect(inbox.dialog.get_by_role("button", name="Delete")).to_be_focused()
    inbox.page.keyboard.press("Enter")
    expect(inbox.dialog).to_be_hidden()
    for tab in (inbox, other_tab):
        expect(tab.row(conversation_id)).to_have_count(0)
        expect(tab.pane).to_be_hidden()
        expect(tab.placeholder).to_be_visible()
        expect(tab.row(kept_id)).to_be_visible()
    expect(other_tab.toast).to_have_text(
        f"The conversation with Visitor #{conversation_id} was deleted."
    )
    assert server.api("GET", f"/conversations/{conversation_id}/messages").status_code == 404
    assert conversation_id not in server.conversation_ids()

    # The visitor's widget forgets it and starts afresh.
    expect(widget.message("Delete me, please")).to_have_count(0, timeout=15_000)
    assert widget.session() is None
    expect(keeper.message("I stay")).to_be_visible()


def test_end_chat_asks_first_then_offers_a_new_chat(server, visitor, agent):
    widget = visitor().open()
    widget.send("Thanks, that is all")
    first = widget.session()
    inbox = agent().open(first["conversation_id"])
    expect(inbox.ended).to_be_hidden()

    # No options before there is a conversation: see a fresh visitor.
    fresh = visitor().open()
    expect(fresh.options).to_be_hidden()

    # Asked first; Escape closes the question, not the panel.
    widget.options.click()
    widget.page.get_by_role("menuitem", name="End chat").click()
    expect(widget.confirm).to_be_visible()
    expect(widget.confirm.get_by_role("button", name="Cancel")).to_be_focused()
    widget.page.keyboard.press("Escape")
    expect(widget.confirm).to_be_hidden()
    expect(widget.panel).to_be_visible()
    expect(widget.options).to_be_focused()

    # With the keyboard: open the menu, choose "End chat", Tab to confirm, Enter.
    widget.page.keyboard.press("Enter")
    expect(widget.page.get_by_role("menuitem", name="End chat")).to_be_focused()
    widget.page.keyboard.press("Enter")
    expect(widget.confirm).to_be_visible()
    widget.page.keyboard.press("Tab")
    expect(widget.confirm.get_by_role("button", name="End chat")).to_be_focused()
    widget.page.keyboard.press("Enter")

    expect(widget.ended).to_contain_text("Chat ended")
    new_chat = widget.page.get_by_role("button", name="Start a new chat")
    expect(new_chat).to_be_focused()
    expect(widget.input).to_be_hidden()
    expect(widget.options).to_be_hidden()
    expect(widget.message("Thanks, that is all")).to_be_visible()  # the history stays on screen
    assert widget.session() is None
    # The agent sees that the visitor left; the old token is dead.
    expect(inbox.ended).to_have_text("Chat ended")
    expect(inbox.presence).to_have_text("Offline")
    response = requests.get(
        f"{server.url}/api/v1/conversations/{first['conversation_id']}/messages",
        headers={"Authorization": f"Bearer {first['visitor_token']}"},
        timeout=10,
    )
    assert response.status_code == 401

    # A new chat starts empty and is a new conversation.
    new_chat.click()
    expect(widget.input).to_be_focused()
    expect(widget.messages).to_have_count(0)
    widget.send("One more question")
    second_id = widget.conversation_id()
    assert second_id != first["conversation_id"]
    expect(inbox.row(second_id)).to_be_visible()
    assert server.bodies(second_id) == ["One more question"]
    # After a reload only the new conversation is there.
    widget.page.reload()
    expect(widget.bodies()).to_have_text(["One more question"])


def test_ending_in_one_tab_ends_it_in_the_other(visitor, new_context):
    context = new_context()
    first_tab = visitor(context=context).open()
    first_tab.send("Two tabs open")
    second_tab = visitor(context=context).open()
    expect(second_tab.message("Two tabs open")).to_be_visible()

    first_tab.options.click()
    first_tab.page.get_by_role("menuitem", name="End chat").click()
    first_tab.confirm.get_by_role("button", name="End chat").click()
    expect(first_tab.ended).to_be_visible()
    expect(second_tab.ended).to_be_visible()
    expect(second_tab.input).to_be_hidden()

    # Starting over in one tab carries the other along.
    first_tab.page.get_by_role("button", name="Start a new chat").click()
    first_tab.send("A fresh start")
    expect(second_tab.message("A fresh start")).to_be_visible()
    expect(second_tab.ended).to_be_hidden()
    expect(second_tab.message("Two tabs open")).to_have_count(0)


def test_inbox_composer_closes_when_the_visitor_ends_the_chat(visitor, agent):
    widget = visitor().open()
    widget.send("That solved it, bye")
    conversation_id = widget.conversation_id()
    inbox = agent().open(conversation_id)
    send = inbox.page.get_by_role("button", name="Send", exact=True)
    inbox.input.fill("Glad to h")
    expect(send).to_be_enabled()

    widget.options.click()
    widget.page.get_by_role("menuitem", name="End chat").click()
    widget.confirm.get_by_role("button", name="End chat").click()

    # Live, while the agent has the chat open: no more replies.
    expect(inbox.ended).to_have_text("Chat ended")
    expect(inbox.input).to_be_disabled()
    expect(inbox.input).to_have_attribute("placeholder", "The visitor ended this chat")
    expect(send).to_be_disabled()
    # And so it is when the chat is opened afresh.
    inbox.page.reload()
    Inbox(inbox.page).ready().open(conversation_id)
    expect(inbox.ended).to_have_text("Chat ended")
    expect(inbox.input).to_be_disabled()
    expect(send).to_be_disabled()
