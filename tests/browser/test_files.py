"""Files in the browser: a visitor on a customer's site sends an image (its
thumbnail shows in the widget and the inbox), an agent sends a PDF the
visitor downloads; dropping and pasting files; cancelling an upload; clear
errors for a file too large or of a refused type."""

import io
import time

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.browser.chromium import BROWSER_TESTS
from tests.browser.conftest import HostSite, serving_chat
from tests.browser.pages import Widget
from tests.harness.api import expect_status
from tests.harness.credentials import AGENT_EMAIL
from tests.harness.logs import watching

pytestmark = BROWSER_TESTS

SHOT = {"animations": "disabled", "caret": "hide", "scale": "css"}
MAX_FILE_BYTES = 300_000
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# A form of a realistic size (a PDF comment pads it).
RETURN_FORM = PDF + b"%" + b"0" * 86_000 + b"\n"


@pytest.fixture(scope="module")
def files_server(tmp_path_factory):
    """A server of its own, with a small file limit, embedded on a listed site."""
    site = HostSite()
    env = {"CHAT_MAX_FILE_BYTES": str(MAX_FILE_BYTES), "CHAT_ALLOWED_ORIGINS": site.url}
    with serving_chat(tmp_path_factory.mktemp("files-server"), env) as server:
        server.process.flask("agents", "set-role", AGENT_EMAIL, "admin")
        site.chat_url = server.url
        server.allowed_site = site
        yield server
    site.close()


@pytest.fixture
def server(request, files_server):
    """This module's own server (overrides the session's)."""
    with watching(request.node, files_server.process):
        yield files_server


def photo() -> bytes:
    """A picture of a bike's broken bell, more or less."""
    image = Image.new("RGB", (960, 640), (214, 226, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 430, 960, 640), fill=(120, 130, 140))
    for x in (260, 700):
        draw.ellipse((x - 150, 330, x + 150, 630), outline=(40, 40, 40), width=18)
    draw.line((260, 480, 480, 330, 700, 480), fill=(181, 35, 24), width=22)
    draw.ellipse((560, 250, 640, 330), fill=(240, 200, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def file_payload(name: str, mime: str, data: bytes) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def image_loaded(locator, timeout: float = 15) -> None:
    """The image shows, decoded. The locator is resolved afresh each time: a
    message re-rendered (its ticks changed) holds a new <img>."""
    expect(locator).to_be_visible()
    deadline = time.monotonic() + timeout
    while not locator.evaluate("(img) => img.complete && img.naturalWidth > 0"):
        assert time.monotonic() < deadline, "the image never loaded"
        locator.page.wait_for_timeout(100)


def open_widget_on_site(server, new_context) -> Widget:
    page = new_context().new_page()
    page.goto(server.allowed_site.url)
    return Widget(page).ready().open()


def test_an_image_one_way_and_a_pdf_the_other(server, new_context, agent, screenshots_dir):
    widget = open_widget_on_site(server, new_context)
    widget.send("Hi! The bell on my new bike broke, here is a photo")
    widget.page.locator(".lc-composer input[type=file]").set_input_files(
        file_payload("bell.jpg", "image/jpeg", photo())
    )
    widget_image = widget.page.locator(".lc-messages img.attachment__image")
    image_loaded(widget_image)
    expect(widget_image).to_have_attribute("alt", "bell.jpg")
    # Read with the visitor's token (the widget is on another site): an object URL.
    assert widget_image.get_attribute("src").startswith("blob:")
    widget_bubble = widget.messages.filter(has=widget.page.locator("img.attachment__image"))
    expect(widget_bubble.locator(".message__status")).not_to_have_accessible_name("Sending")

    inbox = agent().open(widget.conversation_id())
    inbox_image = inbox.page.locator("#conversation-scroll img.attachment__image")
    image_loaded(inbox_image)
    expect(inbox.page.locator(".conv-list__row").first).to_contain_text("bell.jpg")

    inbox.send("Sorry about that! Here is the return form, print it and we'll send a new bell.")
    inbox.page.locator("#composer-file").set_input_files(
        file_payload("return-form.pdf", "application/pdf", RETURN_FORM)
    )
    card = widget.page.locator(".lc-messages .attachment--file")
    expect(card).to_contain_text("return-form.pdf")
    expect(inbox.page.locator("#conversation-scroll .attachment--file")).to_be_visible()
    expect(widget_bubble.locator(".message__status")).to_have_accessible_name("Seen")
    widget.page.mouse.move(5, 5)
    # The panel alone: the customer's site around it is a deliberately ugly test page.
    widget.panel.screenshot(path=screenshots_dir / "files-widget.png", **SHOT)
    inbox.page.mouse.move(640, 790)
    inbox.page.screenshot(path=screenshots_dir / "files-inbox.png", **SHOT)

    with widget.page.expect_download() as download:
        card.click()
    assert download.value.suggested_filename == "return-form.pdf"
    assert download.value.path().read_bytes() == RETURN_FORM

    with inbox.page.expect_popup() as popup:
        inbox_image.click()
    expect(popup.value.locator("img")).to_be_visible()


DROP_JS = """([selector, name, type, text]) => {
  const target = document.querySelector(selector);
  const transfer = new DataTransfer();
  transfer.items.add(new File([text], name, { type }));
  for (const kind of ["dragenter", "dragover", "drop"]) {
    const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
    target.dispatchEvent(new DragEvent(kind, init));
  }
}"""

PASTE_JS = """([name, text]) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([text], name, { type: "text/plain" }));
  const box = document.getElementById("composer-input");
  const init = { clipboardData: transfer, bubbles: true, cancelable: true };
  box.dispatchEvent(new ClipboardEvent("paste", init));
}"""


def test_the_inbox_takes_dropped_and_pasted_files(server, visitor, agent):
    """On the demo page, under the chat server's own Content-Security-Policy."""
    widget = visitor().open()
    widget.send("Can you send me the manual?")
    widget.page.locator(".lc-composer input[type=file]").set_input_files(
        file_payload("bell.jpg", "image/jpeg", photo())
    )
    image_loaded(widget.page.locator(".lc-messages img.attachment__image"))
    inbox = agent().open(widget.conversation_id())
    inbox.page.evaluate(DROP_JS, ["#conversation", "manual.txt", "text/plain", "Step 1: ride."])
    inbox.page.evaluate(PASTE_JS, ["notes.txt", "Pasted notes"])
    expect(widget.page.locator(".lc-messages .attachment--file")).to_have_count(2)
    expect(widget.page.locator(".lc-messages .attachment__name")).to_have_text(
        ["manual.txt", "notes.txt"]
    )


RECORD_PROGRESS = """() => {
  const root = document.querySelector("[data-livechat-widget]").shadowRoot;
  window.progressSeen = [];
  new MutationObserver((records) => {
    for (const record of records) {
      const value = record.target.getAttribute("value");
      if (record.attributeName === "value") window.progressSeen.push(value);
    }
  }).observe(root.querySelector(".lc-uploads"), { attributes: true, subtree: true });
}"""


def test_cancel_and_clear_errors(server, new_context, agent, tmp_path):
    widget = open_widget_on_site(server, new_context)
    widget.send("Hello")
    file_input = widget.page.locator(".lc-composer input[type=file]")

    file_input.set_input_files(file_payload("big.txt", "text/plain", b"a" * (MAX_FILE_BYTES + 1)))
    error = widget.page.locator(".lc-uploads .upload__error")
    expect(error).to_contain_text("big.txt was not sent: the file is larger than 300,000 bytes")
    widget.page.get_by_role("button", name="Dismiss").click()
    expect(error).to_have_count(0)

    page_html = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    file_input.set_input_files(file_payload("cat.png", "image/png", page_html))
    expect(error).to_contain_text("files of type text/html are not accepted")
    widget.page.screenshot(path=tmp_path / "refused.png", **SHOT)
    widget.page.get_by_role("button", name="Dismiss").click()

    # An upload that hangs (held by the test) is cancelled: nothing is sent.
    widget.page.route("**/files", lambda route: None)
    file_input.set_input_files(file_payload("slow.pdf", "application/pdf", PDF))
    row = widget.page.locator(".lc-uploads .upload")
    expect(row.get_by_role("progressbar", name="Uploading slow.pdf")).to_be_visible()
    widget.page.screenshot(path=tmp_path / "uploading.png", **SHOT)
    row.get_by_role("button", name="Cancel").click()
    expect(row).to_have_count(0)
    expect(widget.page.locator(".lc-messages .attachment")).to_have_count(0)

    # The progress bar moves as the bytes go.
    widget.page.unroute("**/files")
    widget.page.evaluate(RECORD_PROGRESS)
    file_input.set_input_files(file_payload("log.txt", "text/plain", b"x" * (MAX_FILE_BYTES - 1)))
    expect(widget.page.locator(".lc-messages .attachment__name")).to_have_text("log.txt")
    assert widget.page.evaluate("() => window.progressSeen").pop() == "100"

    # An admin turned visitors' files off: the paperclip goes after the first refusal.
    expect_status(server.api("PATCH", "/settings", json={"visitor_files": False}), 200)
    try:
        file_input.set_input_files(file_payload("more.pdf", "application/pdf", PDF))
        expect(error).to_contain_text("more.pdf was not sent: visitors may not send files here")
        expect(widget.page.get_by_role("button", name="Send a file or image")).to_be_hidden()
    finally:
        expect_status(server.api("PATCH", "/settings", json={"visitor_files": True}), 200)

    inbox = agent().open(widget.conversation_id())
    inbox.page.locator("#composer-file").set_input_files(
        file_payload("huge.pdf", "application/pdf", PDF + b" " * 2 * MAX_FILE_BYTES)
    )
    expect(inbox.page.locator("#composer-uploads .upload__error")).to_contain_text(
        "huge.pdf was not sent: it is 586 KB; files may be 293 KB at most"
    )
