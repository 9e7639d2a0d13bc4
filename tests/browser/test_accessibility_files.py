"""Files in the chat pass axe too: an image and a PDF in the widget and the
inbox, an upload in progress, and a refused upload's error."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.chromium import BROWSER_TESTS
from tests.browser.test_accessibility import DUPLICATE_IDS, Pages, open_chat
from tests.browser.test_files import PDF, file_payload, image_loaded, photo

pytestmark = BROWSER_TESTS


@pytest.fixture
def pages(server, new_context) -> Pages:
    return Pages(server, new_context)


def chat_with_files(pages: Pages):
    widget, inbox = open_chat(pages, "Here is the broken bell")
    widget.page.locator(".lc-composer input[type=file]").set_input_files(
        file_payload("bell.jpg", "image/jpeg", photo())
    )
    image_loaded(inbox.page.locator("#conversation-scroll img.attachment__image"))
    inbox.page.locator("#composer-file").set_input_files(
        file_payload("return-form.pdf", "application/pdf", PDF)
    )
    expect(widget.page.locator(".lc-messages .attachment--file")).to_be_visible()
    image_loaded(widget.page.locator(".lc-messages img.attachment__image"))
    return widget, inbox


def widget_with_files(pages: Pages) -> Page:
    return chat_with_files(pages)[0].page


def inbox_with_files(pages: Pages) -> Page:
    return chat_with_files(pages)[1].page


def widget_refused_upload(pages: Pages) -> Page:
    widget = pages.widget().open()
    widget.send("Hello")
    widget.page.locator(".lc-composer input[type=file]").set_input_files(
        file_payload("page.png", "image/png", b"<!DOCTYPE html><html></html>")
    )
    expect(widget.page.locator(".upload__error")).to_contain_text("not accepted")
    return widget.page


def inbox_upload_in_progress(pages: Pages) -> Page:
    _widget, inbox = open_chat(pages, "Send me the manual please")
    inbox.page.route("**/files", lambda route: None)  # held: the upload stays in progress
    inbox.page.locator("#composer-file").set_input_files(
        file_payload("manual.pdf", "application/pdf", PDF)
    )
    expect(inbox.page.get_by_role("progressbar", name="Uploading manual.pdf")).to_be_visible()
    return inbox.page


STATES = {
    "widget: an image and a PDF in the chat": widget_with_files,
    "inbox: an image and a PDF in the chat": inbox_with_files,
    "widget: an upload refused, with why": widget_refused_upload,
    "inbox: an upload in progress, with Cancel": inbox_upload_in_progress,
}


@pytest.mark.parametrize("state", list(STATES))
def test_no_violations(pages, state):
    page = STATES[state](pages)
    assert_accessible(page)
    assert page.evaluate(DUPLICATE_IDS) == [], "ids used twice"
