// The open conversation: joining and leaving its room, its header, its
// messages (with older pages and catch-up), the reply box, typing both ways
// and the receipts for what the agent has on screen.

import { t } from "../common/i18n.js";
import { attachComposer } from "../common/composer.js";
import { el } from "../common/dom.js";
import { randomId } from "../common/ids.js";
import { safeLink } from "../common/render.js";
import { nowIso } from "../common/time.js";
import { Timeline } from "../common/timeline.js";
import { TypingIndicator, TypingSender } from "../common/typing.js";
import { ActivityLines, describeLine } from "./activity.js";
import { describePage, visitorName } from "./format.js";
import { LifecycleControls } from "./lifecycle.js";
import { NoteMode, sendNote } from "./notes.js";
import { revealMessage } from "./search.js";

/**
 * Find the pane's elements in the page.
 * @returns {object}
 */
function findElements() {
  const byId = (id) => document.getElementById(id);
  return {
    section: byId("conversation"),
    empty: byId("conversation-empty"),
    back: byId("conversation-back"),
    name: byId("conversation-name"),
    email: byId("conversation-email"),
    presence: byId("conversation-presence"),
    ended: byId("conversation-ended"),
    page: byId("conversation-page"),
    notice: byId("conversation-notice"),
    scroller: byId("conversation-scroll"),
    older: byId("conversation-older"),
    typing: byId("conversation-typing"),
    announcer: byId("conversation-announcer"),
    form: byId("composer"),
    textarea: byId("composer-input"),
    sendButton: byId("composer-send"),
    limitNotice: byId("composer-limit"),
    state: byId("conversation-state"),
    lifecycle: byId("conversation-lifecycle"),
    composerMode: byId("composer-mode"),
  };
}

export class ConversationPane {
  /**
   * @param {object} options
   * @param {import("../common/connection.js").ChatConnection} options.connection
   * @param {import("../common/outbox.js").Outbox} options.outbox
   * @param {import("./list.js").ConversationList} options.list
   * @param {string} options.agentName
   * @param {(id: number) => import("../common/receipts.js").ReceiptTracker} options.trackerFor
   * @param {(id: number|null) => void} options.onOpenChange
   */
  constructor({ connection, outbox, list, agentName, trackerFor, onOpenChange }) {
    this.connection = connection;
    this.outbox = outbox;
    this.list = list;
    this.agentName = agentName;
    this.trackerFor = trackerFor;
    this.onOpenChange = onOpenChange;
    this.elements = findElements();
    this.openId = null;
    this.timeline = null;
    this.lines = null;
    this.typingSender = null;
    this.typingIndicator = new TypingIndicator(this.elements.typing);
    this.#bindUi();
  }

  /**
   * Show a conversation (leaving the previous one).
   * @param {number} id
   * @param {{atSeq?: number|null}} [options] atSeq: scroll to this message and highlight it
   */
  open(id, { atSeq = null } = {}) {
    if (id === this.openId) {
      if (atSeq) revealMessage(this.timeline, atSeq);
      else this.elements.textarea.focus();
      return;
    }
    this.#leaveCurrent();
    this.openId = id;
    this.#startTimeline(id);
    this.typingSender = new TypingSender((isTyping) => {
      this.connection.request("typing", { conversation_id: id, is_typing: isTyping });
    });
    this.elements.empty.hidden = true;
    this.elements.section.hidden = false;
    this.#renderHeader(this.list.get(id) || { id });
    this.#setNotice("");
    this.onOpenChange(id);
    this.elements.textarea.focus();
    this.#join(id, atSeq);
  }

  /** Close the open conversation and show the placeholder. */
  close() {
    this.#leaveCurrent();
    this.openId = null;
    this.elements.section.hidden = true;
    this.elements.empty.hidden = false;
    this.onOpenChange(null);
  }

  /**
   * A conversation was deleted: close it if it is the open one.
   * @param {number} id
   * @returns {boolean} whether it was open
   */
  onDeleted(id) {
    if (id !== this.openId) return false;
    // Its room is gone with it: nothing to leave.
    this.#leaveCurrent({ leaveRoom: false });
    this.openId = null;
    this.elements.section.hidden = true;
    this.elements.empty.hidden = false;
    this.onOpenChange(null);
    return true;
  }

  /** After a reconnect: rejoin the room and fetch what was missed. */
  async resync() {
    const id = this.openId;
    if (id === null) return;
    const ack = await this.connection.request("join", { conversation_id: id });
    if (id !== this.openId || !ack.ok) return;
    this.#setNotice("");
    if (ack.conversation) this.#renderHeader(ack.conversation);
    if (this.lines.addAll(ack.activities)) this.timeline.render();
    if (this.timeline.store.isEmpty) this.timeline.setPage(ack.messages, ack.has_more);
    else this.timeline.addMessages(ack.messages);
    if (await this.timeline.syncLatest()) this.#afterLoad();
  }

  /**
   * A `message` event. Returns whether it belongs to the open conversation.
   * @param {object} message
   * @returns {boolean}
   */
  onMessage(message) {
    if (message.conversation_id !== this.openId) return false;
    const isNew = !this.timeline.store.bySeq.has(message.seq);
    this.timeline.addMessages([message]);
    if (message.sender === "visitor") {
      this.typingIndicator.hide();
      if (isNew) this.elements.announcer.textContent = `${visitorName(this.list.get(message.conversation_id))}: ${message.body}`;
      this.sendReceipts();
    }
    return true;
  }

  /**
   * An `activity` event (or the answer to this agent's change): a line or a
   * note, shown in place; it counts as nothing unread.
   * @param {object} line
   */
  onActivity(line) {
    if (!line || line.conversation_id !== this.openId || !this.lines.addAll([line])) return;
    this.timeline.render();
    const said = line.kind === "note" ? t("note.spoken", { name: line.actor?.name || t("note.an_agent"), body: line.body }) : describeLine(line);
    this.elements.announcer.textContent = said;
  }

  /** @param {object} receipt a `receipt` event */
  onReceipt(receipt) {
    if (receipt.conversation_id === this.openId) this.timeline.applyReceipt(receipt);
  }

  /** @param {object} typing a `typing` event */
  onTyping({ conversation_id: id, sender, name, is_typing: isTyping }) {
    if (id !== this.openId || sender !== "visitor") return;
    // The same name as in the header ("Visitor #12" rather than the server's "Visitor").
    if (isTyping) this.typingIndicator.show(visitorName(this.list.get(id) || { id, visitor: { name } }));
    else this.typingIndicator.hide();
  }

  /** @param {object} summary a fresh conversation summary */
  onSummary(summary) {
    if (summary.id === this.openId) this.#renderHeader(summary);
  }

  /**
   * The server stored one of our messages.
   * @param {object} item outbox item
   * @param {object} message stored message
   */
  onSent(item, message) {
    if (item.conversation_id === this.openId) this.timeline.addMessages([message]);
  }

  /**
   * The server refused one of our messages.
   * @param {object} item outbox item
   * @param {{message: string}} error
   */
  onFailed(item, error) {
    if (item.conversation_id === this.openId) this.timeline.markFailed(item.client_id, error.message);
  }

  /** Delivered up to the newest visitor message; seen while the tab is visible. */
  sendReceipts() {
    if (this.openId === null || !this.connection.connected) return;
    const highest = this.timeline.store.highestSeqFrom("visitor");
    if (!highest) return;
    const tracker = this.trackerFor(this.openId);
    tracker.mark("delivered", highest);
    if (document.visibilityState === "visible") tracker.mark("seen", highest);
  }

  #bindUi() {
    const { elements } = this;
    elements.back.addEventListener("click", () => this.close());
    this.composer = attachComposer({
      form: elements.form,
      textarea: elements.textarea,
      sendButton: elements.sendButton,
      limitNotice: elements.limitNotice,
      maxChars: Number(document.body.dataset.maxBodyChars) || undefined,
      onSend: (text) => this.#send(text),
      // A note is for agents: the visitor is not told that one is being written.
      typing: { input: () => this.noteMode.isNote || this.typingSender?.input(), stop: () => this.typingSender?.stop() },
    });
    this.noteMode = new NoteMode({
      container: elements.composerMode,
      form: elements.form,
      textarea: elements.textarea,
      sendButton: elements.sendButton,
      onChange: (isNote) => {
        if (isNote) this.typingSender?.stop();
        if (this.openId !== null) this.#renderHeader(this.list.get(this.openId) || { id: this.openId });
      },
    });
    this.lifecycle = new LifecycleControls({
      container: elements.lifecycle,
      stateLabel: elements.state,
      connection: this.connection,
      onChanged: (summary, line) => {
        this.list.upsert(summary);
        this.onSummary(summary);
        this.onActivity(line);
      },
      onError: (message) => this.#setNotice(message),
    });
    document.addEventListener("visibilitychange", () => this.sendReceipts());
  }

  #startTimeline(id) {
    this.timeline?.dispose();
    const container = el("div", { className: "messages" });
    this.elements.scroller.replaceChildren(this.elements.older, container);
    const lines = new ActivityLines();
    this.lines = lines;
    this.timeline = new Timeline({
      scroller: this.elements.scroller,
      container,
      olderIndicator: this.elements.older,
      ownSender: "agent",
      authorLabel: (message, previous) => this.#authorLabel(message, previous),
      fetchHistory: async (params) => {
        const ack = await this.connection.request("history", { conversation_id: id, ...params });
        lines.addAll(ack.activities);
        return ack;
      },
      lines: (oldestSeq, hasOlder) => lines.entries(oldestSeq, hasOlder),
    });
  }

  /** Join the chat's room and show its history; the log is busy meanwhile. */
  async #join(id, atSeq = null) {
    const { scroller } = this.elements;
    scroller.setAttribute("aria-busy", "true");
    try {
      await this.#joinAndLoad(id, atSeq);
    } finally {
      if (id === this.openId) scroller.setAttribute("aria-busy", "false");
    }
  }

  async #joinAndLoad(id, atSeq) {
    const ack = await this.connection.request("join", { conversation_id: id });
    if (id !== this.openId) {
      if (ack.ok) this.connection.request("leave", { conversation_id: id });
      return;
    }
    if (!ack.ok) {
      const offline = ack.error?.code === "timeout";
      this.#setNotice(offline ? t("conversation.offline_notice")
        : t("conversation.open_failed", { reason: ack.error?.message || t("error.unknown") }));
      return;
    }
    if (ack.conversation) this.#renderHeader(ack.conversation);
    this.lines.addAll(ack.activities);
    this.timeline.setPage(ack.messages, ack.has_more);
    for (const item of this.outbox.pending(id)) {
      this.timeline.addPending({ ...item, sender: "agent", author: { name: this.agentName } });
    }
    this.#afterLoad();
    if (atSeq) await revealMessage(this.timeline, atSeq);
  }

  #afterLoad() {
    const { store } = this.timeline;
    const tracker = this.trackerFor(this.openId);
    tracker.observe("delivered", store.highestSeqFrom("visitor", "delivered"));
    tracker.observe("seen", store.highestSeqFrom("visitor", "seen"));
    this.sendReceipts();
  }

  #leaveCurrent({ leaveRoom = true } = {}) {
    if (this.openId === null) return;
    if (leaveRoom) this.typingSender?.stop();
    this.typingSender = null;
    this.typingIndicator.hide();
    this.timeline?.dispose();
    if (leaveRoom) this.connection.request("leave", { conversation_id: this.openId });
  }

  #send(text) {
    if (this.openId === null) return;
    if (this.noteMode.isNote) {
      this.#sendNote(this.openId, text);
      return;
    }
    const item = { client_id: randomId(), body: text, created_at: nowIso(), conversation_id: this.openId };
    this.timeline.addPending({ ...item, sender: "agent", author: { name: this.agentName } });
    this.outbox.add(item);
  }

  /**
   * Send an uploaded file as a reply in a conversation; its body is the file's name.
   * @param {object} file the server's file object
   * @param {number} conversationId the conversation it was uploaded to
   */
  sendFile(file, conversationId) {
    const item = { client_id: randomId(), body: file.name, file_id: file.id, file, created_at: nowIso(), conversation_id: conversationId };
    if (conversationId === this.openId) this.timeline.addPending({ ...item, sender: "agent", author: { name: this.agentName } });
    this.outbox.add(item);
  }

  async #sendNote(id, text) {
    const ack = await sendNote(this.connection, id, text);
    if (ack.ok) {
      this.onActivity(ack.activity);
      return;
    }
    if (id !== this.openId) return;
    this.#setNotice(t("note.failed", { reason: ack.error?.message || t("error.unknown") }));
    // Nothing typed is lost: the note goes back into an empty box.
    if (!this.elements.textarea.value) {
      this.elements.textarea.value = text;
      this.elements.textarea.dispatchEvent(new Event("input"));
    }
  }

  /** Name above agents' replies written by someone else, at the start of each run. */
  #authorLabel(message, previous) {
    if (message.sender !== "agent") return null;
    const name = message.author?.name;
    if (!name || name === this.agentName) return null;
    return previous?.sender === "agent" && previous.author?.name === name ? null : name;
  }

  #renderHeader(summary) {
    const { elements } = this;
    const known = this.list.get(summary.id) || {};
    const merged = { ...known, ...summary };
    elements.name.textContent = visitorName(merged);
    elements.email.textContent = merged.visitor?.email || "";
    elements.email.hidden = !merged.visitor?.email;
    const online = Boolean(merged.visitor_online);
    elements.presence.textContent = t(online ? "presence.online" : "presence.offline");
    elements.presence.className = `presence presence--${online ? "online" : "offline"}`;
    const ended = merged.status === "closed";
    elements.ended.hidden = !ended;
    // An ended chat takes no more replies (the server answers "conflict"),
    // but notes still; a resolved one takes both, and stays resolved.
    const writable = !ended || this.noteMode.isNote;
    this.composer.setEnabled(writable);
    elements.textarea.placeholder = writable ? this.noteMode.placeholder : t("conversation.visitor_ended");
    this.lifecycle.setConversation(merged);
    this.#renderPage(describePage(merged.page_url), online);
  }

  #renderPage(page, online) {
    const { page: element } = this.elements;
    element.replaceChildren();
    element.hidden = !page;
    if (!page) return;
    const link = safeLink(page.href, page.text);
    link.title = page.href;
    element.append(el("span", { className: "conversation__page-label", text: t(online ? "conversation.on_page" : "conversation.last_on_page") }), link);
  }

  #setNotice(text) {
    this.elements.notice.textContent = text;
    this.elements.notice.hidden = !text;
  }
}
