// The visitor chat widget. loader.js (served as /widget.js) calls mount()
// with a shadow root on the host page. Imports are relative so they resolve
// against the chat server, whatever origin the host page has.

import { chooseWidgetLocale, loadWidgetLocale } from "./i18n.js";
import { beep, TitleNotice, unlockSound } from "../common/attention.js";
import { readFilesWithToken } from "../common/attachments.js";
import { attachComposer } from "../common/composer.js";
import { FileSender } from "../common/file-sender.js";
import { randomId } from "../common/ids.js";
import { Outbox } from "../common/outbox.js";
import { ReceiptTracker } from "../common/receipts.js";
import { nowIso } from "../common/time.js";
import { Timeline } from "../common/timeline.js";
import { currentLocale, t } from "../common/i18n.js";
import { TypingIndicator, TypingSender } from "../common/typing.js";
import { createConversation, endConversation, fetchAvailability, pageLocation } from "./api.js";
import { ChatState } from "./chat-state.js";
import { accentColors } from "./colors.js";
import { VisitorConnection } from "./connection.js";
import { fetchRating, RatingPrompt } from "./rating.js";
import { EndChatControls } from "./end-chat.js";
import { OfflineCard } from "./offline.js";
import { PrechatForm } from "./prechat.js";
import { WidgetStorage } from "./storage.js";
import { TranscriptByEmail } from "./transcript.js";
import { browserContext, identify, isRefusedIdentity, prechatFields, readIdentity } from "./visitor.js";
import { TypingPreviewSender } from "./typing-preview.js";
import { createView } from "./view.js";

const CREATE_RETRY_FIRST_MS = 2000;
const CREATE_RETRY_MAX_MS = 60000;

/**
 * Options of the widget, as given on the embedding script tag.
 * @typedef {object} WidgetOptions
 * @property {string} serverUrl origin of the chat server
 * @property {string} [title]
 * @property {string} [color] accent colour (CSS colour)
 * @property {string} [greeting]
 * @property {string} [position] "right" or "left"; by default the end of the language's line (right, or left in Arabic)
 * @property {string} [transport] "polling" to use HTTP long-polling only
 * @property {string} [locale] the site's choice of language (data-locale); else the browser's
 * @property {object} [identity] the site's signed user: {user_id, user_hash, name?, email?} (see visitor.js)
 * @property {(name: string, detail: object) => void} [emit] tells the host page of an event
 */

/**
 * Put the chat widget into a shadow root and start it, in the visitor's language.
 * @param {ShadowRoot} shadowRoot
 * @param {WidgetOptions} options
 * @returns {Promise<object>} what the host page's window.LiveChat calls (see loader.js)
 */
export async function mount(shadowRoot, options) {
  const config = readConfig(options);
  await loadWidgetLocale(chooseWidgetLocale(options.locale));
  const view = createView(shadowRoot, config);
  view.setColors(accentColors(config.color));
  const widget = new Widget(config, view);
  widget.start();
  return {
    open: () => widget.setOpen(true),
    close: () => widget.setOpen(false),
    toggle: () => widget.setOpen(!widget.open),
    identify: (identity) => widget.identify(identity),
    setLocale: (code) => widget.setLocale(code),
    locale: () => currentLocale(),
    isOpen: () => widget.open,
    unreadCount: () => widget.unread,
  };
}

function readConfig(options) {
  const serverUrl = String(options.serverUrl || window.location.origin).replace(/\/+$/, "");
  return {
    serverUrl,
    title: options.title?.trim() || null,
    greeting: options.greeting?.trim() || null,
    color: options.color?.trim(),
    position: ["left", "right"].includes(options.position) ? options.position : "end",
    pollingOnly: options.transport === "polling",
    identity: readIdentity(options.identity),
    emit: typeof options.emit === "function" ? options.emit : () => {},
  };
}

function agentName(message) {
  return message?.author?.name || t("widget.support");
}

function agentAuthorLabel(message, previous) {
  if (message.sender !== "agent") return null;
  const name = agentName(message);
  const sameRun = previous?.sender === "agent" && agentName(previous) === name;
  return sameRun ? null : name;
}

/** The widget's behaviour: one visitor, one conversation. */
class Widget {
  constructor(config, view) {
    this.config = config;
    this.view = view;
    this.storage = new WidgetStorage(config.serverUrl);
    this.session = this.storage.loadSession();
    this.identity = config.identity;
    this.firstSeenAt = this.storage.firstSeenAt();
    this.open = false;
    this.unread = 0;
    this.creating = null;
    this.titleNotice = new TitleNotice((count, base) => t("notice.new_messages", { count, title: base }));
    this.timeline = new Timeline({
      scroller: view.scroller,
      container: view.messages,
      olderIndicator: view.olderIndicator,
      ownSender: "visitor",
      authorLabel: agentAuthorLabel,
      fetchHistory: (params) => this.connection.request("history", params),
    });
    this.connection = new VisitorConnection({
      serverUrl: config.serverUrl,
      pollingOnly: config.pollingOnly,
      context: () => browserContext(this.firstSeenAt),
      onState: (state) => this.#onConnectionState(state),
      onConnect: () => this.#onConnect(),
      onUnauthorized: () => this.#onUnauthorized(),
      handlers: {
        message: (message) => this.#onMessage(message),
        receipt: (receipt) => this.#onReceipt(receipt),
        typing: (typing) => this.#onTyping(typing),
        presence: (presence) => this.#onPresence(presence),
        chat_state: (state) => this.#onChatState(state),
        rating: (rating) => rating?.conversation_id === this.session?.conversation_id && this.rating.apply(rating),
      },
    });
    this.receipts = new ReceiptTracker((status, upToSeq) =>
      this.connection.request("receipt", { status, up_to_seq: upToSeq }));
    this.outbox = new Outbox({
      storage: this.storage.outbox,
      send: (item) => this.connection.request("send_message", {
        client_id: item.client_id, body: item.body, file_id: item.file_id,
      }),
      onSent: (item, message) => this.timeline.addMessages([message]),
      onFailed: (item, error) => this.timeline.markFailed(item.client_id, error.message),
    });
    this.typingSender = new TypingSender((isTyping) => {
      if (this.connection.connected) this.connection.request("typing", { is_typing: isTyping });
    });
    this.typingIndicator = new TypingIndicator(view.typing);
    this.endControls = new EndChatControls(view, { onConfirm: () => this.#endChat() });
    this.chatState = new ChatState(view);
    this.prechat = new PrechatForm(view, this.storage.prechat);
    this.offline = new OfflineCard(view, { saveEmail: (email) => this.#saveEmail(email) });
    this.offline.onDue = () => this.#loadAvailability();
    this.transcript = new TranscriptByEmail(view, (event, payload) => this.connection.request(event, payload));
    readFilesWithToken({ serverUrl: config.serverUrl, token: () => this.session?.visitor_token || null });
    this.rating = new RatingPrompt(view, {
      load: () => fetchRating(config.serverUrl, this.session),
      send: (score, comment) => this.connection.request("rate", { score, comment }),
    });
    this.preview = new TypingPreviewSender(view, (text) => this.connection.request("typing_preview", { text }));
  }

  start() {
    this.#bindUi();
    this.#showOutbox();
    this.view.setCanEnd(Boolean(this.session));
    this.#begin();
    this.#loadAvailability();
    if (this.storage.loadPanelOpen()) this.setOpen(true, { focus: false });
  }

  /** Find out who the visitor is, then connect, or offer the pre-chat form. */
  async #begin() {
    if (this.identity) await this.#identify();
    if (this.session) {
      this.view.setCanEnd(true);
      this.connection.open(this.session.visitor_token);
    } else if (!this.identity) {
      this.prechat.offer(await prechatFields(this.config.serverUrl));
    }
  }

  /**
   * The host site identified its user after the widget started: continue
   * that user's latest open conversation, or make this one theirs.
   * @param {object} value {user_id, user_hash, name?, email?}
   */
  async identify(value) {
    this.identity = readIdentity(value);
    if (!this.identity) return;
    const before = this.session?.conversation_id;
    await this.#identify();
    this.prechat.hide();
    if (this.session?.conversation_id !== before) {
      // Another user's chat was let go, or this user's was found: show that.
      this.#startNewChat({ focus: false });
      if (this.session) this.#adoptSession(this.session);
    }
  }

  /**
   * Settle which conversation the signed user continues in this browser.
   * A chat of another user of this browser is let go; an anonymous one
   * becomes the user's; with none, the user's latest open one is continued.
   */
  async #identify() {
    const userId = String(this.identity.user_id);
    if (this.session?.user_id === userId) return;
    if (this.session?.user_id) this.#forgetSession();
    try {
      const found = await identify(this.config.serverUrl, this.identity, this.session?.visitor_token);
      if (this.session && found.conversation_id === this.session.conversation_id) {
        // This browser's anonymous chat is now the user's.
        this.session = { ...this.session, user_id: userId };
        this.storage.saveSession(this.session);
        return;
      }
      // No chat here, or one whose token no longer works: the user's newest, if any.
      if (this.session) this.#forgetSession();
      if (found.visitor_token) {
        this.session = { conversation_id: found.conversation_id, visitor_token: found.visitor_token, user_id: userId };
        this.storage.saveSession(this.session);
      }
    } catch (error) {
      if (error.code === "conflict" && this.session) {
        // This browser's chat is another user's: continue as a new device of this one.
        this.#forgetSession();
        await this.#identify();
        return;
      }
      this.#identityFailed(error);
    }
  }

  #identityFailed(error) {
    if (isRefusedIdentity(error)) {
      // The host site's mistake (wrong secret, unsigned): say so to its
      // developers, and chat anonymously meanwhile.
      console.error(`Live chat: the visitor's identity was refused: ${error.message}`);
      this.identity = null;
    }
  }

  /**
   * Open or close the chat panel.
   * @param {boolean} open
   * @param {{focus?: boolean}} [options]
   */
  setOpen(open, { focus = true } = {}) {
    const focusWasInside = this.view.hasFocus();
    const changed = this.open !== open;
    this.open = open;
    this.view.setOpen(open);
    this.storage.savePanelOpen(open);
    if (open) {
      this.timeline.scrollToBottom();
      this.timeline.fillIfShort();
      if (focus) (this.prechat.visible ? this.prechat.firstControl : this.view.primaryControl).focus();
      this.#sendReceipts();
    } else {
      this.typingSender.stop();
      this.endControls.reset();
      if (focusWasInside) this.view.launcher.focus();
    }
    if (changed) this.config.emit(open ? "open" : "close", {});
  }

  /**
   * Change the widget's language (LiveChat.setLocale).
   * @param {string|null} code a locale, or null for the browser's language
   * @returns {Promise<string>} the locale shown
   */
  async setLocale(code) {
    const locale = await loadWidgetLocale(chooseWidgetLocale(code));
    this.view.showLanguage();
    this.chatState.showLanguage();
    this.endControls.reset();
    this.timeline.render();
    this.titleNotice.set(this.unread);
    return locale;
  }

  #bindUi() {
    const { view } = this;
    view.launcher.addEventListener("click", () => {
      unlockSound();
      this.setOpen(!this.open);
    });
    view.closeButton.addEventListener("click", () => this.setOpen(false));
    view.newChatButton.addEventListener("click", () => {
      // A chat the server ended is still held (so a reload shows it): let it go.
      if (this.session) this.#forgetSession();
      this.#startNewChat();
    });
    view.root.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.open) {
        event.stopPropagation();
        this.setOpen(false);
        view.launcher.focus();
      }
    });
    attachComposer({
      form: view.form,
      textarea: view.textarea,
      sendButton: view.sendButton,
      limitNotice: view.limitNotice,
      onSend: (text) => this.#send(text),
      typing: this.typingSender,
    });
    new FileSender({
      button: view.attachButton,
      input: view.fileInput,
      dropZone: view.panel,
      pasteTarget: view.textarea,
      tray: view.uploads,
      target: () => this.#uploadTarget(),
      onUploaded: (file) => this.#sendFile(file),
      refusal: () => (this.view.isEnded ? t("files.chat_ended") : null),
    });
    document.addEventListener("visibilitychange", () => this.#sendReceipts());
    window.addEventListener("storage", (event) => this.#onStorage(event));
  }

  /** Where a file goes: the conversation, started first if need be. */
  async #uploadTarget() {
    this.#ensureConversation();
    if (this.creating) await this.creating;
    const { session } = this;
    return {
      url: `${this.config.serverUrl}/api/v1/conversations/${session.conversation_id}/files`,
      headers: { Authorization: `Bearer ${session.visitor_token}` },
    };
  }

  /** Send an uploaded file as a message; its body is the file's name. */
  #sendFile(file) {
    this.chatState.visitorWrote();
    const item = { client_id: randomId(), body: file.name, file_id: file.id, file, created_at: nowIso() };
    this.timeline.addPending({ ...item, sender: "visitor", author: null });
    this.outbox.add(item);
  }

  /** Show messages that were still waiting when the page was last closed. */
  #showOutbox() {
    for (const item of this.outbox.pending()) {
      this.timeline.addPending({ ...item, sender: "visitor", author: null });
    }
  }

  #send(text) {
    unlockSound();
    this.chatState.visitorWrote();
    this.rating.visitorWrote();
    this.preview.cancel();
    const item = { client_id: randomId(), body: text, created_at: nowIso() };
    this.timeline.addPending({ ...item, sender: "visitor", author: null });
    this.outbox.add(item);
    this.#ensureConversation();
  }

  /** Create the conversation on the first message, retrying while the server is unreachable. */
  #ensureConversation() {
    if (this.session || this.creating) return;
    this.creating = this.#createWithRetry(CREATE_RETRY_FIRST_MS).finally(() => {
      this.creating = null;
    });
  }

  async #createWithRetry(delay) {
    try {
      const session = await createConversation(this.config.serverUrl, this.#newConversationDetails());
      if (this.identity) session.user_id = String(this.identity.user_id);
      this.#adoptSession(session);
    } catch (error) {
      if (this.identity && isRefusedIdentity(error)) {
        this.#identityFailed(error);
        await this.#createWithRetry(delay);
        return;
      }
      this.view.setConnection("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, delay));
      const adoptedElsewhere = this.storage.loadSession();
      if (adoptedElsewhere) this.#adoptSession(adoptedElsewhere);
      else await this.#createWithRetry(Math.min(delay * 2, CREATE_RETRY_MAX_MS));
    }
  }

  #newConversationDetails() {
    const details = { page_url: pageLocation(), context: browserContext(this.firstSeenAt), ...this.prechat.details() };
    if (this.identity) details.identity = this.identity;
    return details;
  }

  #adoptSession(session) {
    this.session = session;
    this.prechat.hide();
    this.storage.saveSession(session);
    this.receipts.reset();
    this.view.setCanEnd(true);
    this.connection.open(session.visitor_token);
  }

  /**
   * End the conversation (the visitor confirmed): the server closes it and
   * revokes the token, and this browser forgets it.
   * @throws {Error} when the server could not be told; nothing changes then
   */
  async #endChat() {
    const session = this.session;
    if (!session) return;
    this.typingSender.stop();
    await endConversation(this.config.serverUrl, session);
    if (this.session !== session) return;
    this.#forgetSession();
    this.#showEnded();
  }

  /**
   * Drop the conversation's token, socket and unsent messages.
   * @param {{byOtherTab?: boolean}} [options] the other tab has updated the shared storage already
   */
  #forgetSession({ byOtherTab = false } = {}) {
    this.connection.close();
    this.session = null;
    this.receipts.reset();
    if (byOtherTab) {
      this.outbox.reload();
    } else {
      this.storage.clearSession();
      this.outbox.clear();
    }
    this.timeline.clearPending();
    this.typingIndicator.hide();
    this.view.setCanEnd(false);
    this.view.setPresence(null);
    this.chatState.reset();
    this.rating.setState(null);
    this.#setUnread(0);
  }

  /** The history stays on screen, read-only, with a way to start over. */
  #showEnded() {
    this.endControls.reset();
    this.view.setEnded(true);
    this.offline.refresh();
    this.view.announce(t("ended.title"));
    if (this.open) this.view.newChatButton.focus();
  }

  /** @param {{focus?: boolean}} [options] */
  #startNewChat({ focus = true } = {}) {
    this.timeline.clear();
    this.view.setEnded(false);
    this.offline.setEmail(null);
    if (focus) this.view.textarea.focus();
  }

  #onConnectionState(state) {
    this.view.setConnection(state);
    if (state === "online") return;
    this.outbox.setReady(false);
    this.preview.disable();
    this.typingIndicator.hide();
    // Unknown until the server says again (it does right after reconnecting).
    this.view.setPresence(null);
  }

  async #onConnect() {
    this.outbox.setReady(true);
    if (this.offline.pendingEmail) this.#savePendingEmail();
    this.preview.probe();
    if (!(await this.timeline.syncLatest())) return;
    this.#observeStoredStatuses();
    // Replies that came while this page was away or offline count as unread.
    if (!this.#isViewing()) this.#setUnread(this.#unseenAgentMessages());
    this.#sendReceipts();
  }

  #unseenAgentMessages() {
    let count = 0;
    for (const message of this.timeline.store.bySeq.values()) {
      if (message.sender === "agent" && message.status !== "seen") count += 1;
    }
    return count;
  }

  /** The stored token was refused (e.g. the conversation was deleted): start afresh on the next message. */
  #onUnauthorized() {
    this.storage.clearSession();
    this.session = null;
    this.receipts.reset();
    this.timeline.clear();
    this.#showOutbox();
    this.view.setPresence(null);
    this.view.setCanEnd(false);
    this.chatState.reset();
    this.rating.setState(null);
    this.#setUnread(0);
    if (this.identity) this.#resumeSignedUser();
  }

  /** A signed user's token was refused: continue their newest chat, if any is left. */
  async #resumeSignedUser() {
    await this.#identify();
    if (this.session) this.#adoptSession(this.session);
  }

  #onMessage(message) {
    const isNew = !this.timeline.store.bySeq.has(message.seq);
    this.timeline.addMessages([message]);
    if (message.sender === "visitor") {
      this.outbox.discard(message.client_id);
      return;
    }
    this.typingIndicator.hide();
    if (isNew) this.#notifyAgentMessage(message);
    this.#sendReceipts();
  }

  #notifyAgentMessage(message) {
    this.config.emit("message", {
      conversation_id: this.session?.conversation_id ?? null,
      seq: message.seq,
      body: message.body,
      author: { name: agentName(message) },
      created_at: message.created_at,
    });
    this.view.announce(t("notice.agent_message", { name: agentName(message), body: message.body }));
    if (this.#isViewing()) return;
    this.#setUnread(this.unread + 1);
    beep();
  }

  #onReceipt(receipt) {
    this.timeline.applyReceipt(receipt);
    if (receipt.by !== "visitor") return;
    // Another tab of this visitor sent it: nothing left for this tab to send.
    this.receipts.observe(receipt.status, receipt.up_to_seq);
    const highest = this.timeline.store.highestSeqFrom("agent");
    if (receipt.status === "seen" && receipt.up_to_seq >= highest) this.#setUnread(0);
  }

  #onTyping({ sender, name, is_typing: isTyping }) {
    if (sender === "visitor") return;
    if (isTyping) this.typingIndicator.show(name || t("widget.support"));
    else this.typingIndicator.hide();
  }

  #onPresence({ who, online }) {
    if (who !== "agent") return;
    this.agentsOnline = Boolean(online);
    this.#showAgentsOnline();
    this.offline.setAgentsOnline(this.agentsOnline);
  }

  /** Who answers the chat and where it stands; an ended one offers a new chat. */
  #onChatState(payload) {
    if (!this.session || payload?.conversation_id !== this.session.conversation_id) return;
    this.chatState.apply(payload);
    this.offline.setHours(payload.hours);
    if (this.connection.connected && this.agentsOnline !== undefined) this.#showAgentsOnline();
    this.offline.setEmail(payload.email);
    this.offline.setMail(payload.mail);
    this.transcript.setAvailable(payload.mail === true && Boolean(payload.email));
    this.rating.setState(payload.state);
    if (payload.state !== "ended" || this.view.isEnded) return;
    this.typingSender.stop();
    this.view.setCanEnd(false);
    this.#showEnded();
  }

  /** The header says "We're online" only while agents are, within business hours. */
  #showAgentsOnline() {
    this.view.setPresence(this.agentsOnline && !this.offline.isClosed);
  }

  /** Before a chat exists (and when the desk opens or closes): can anyone answer now? */
  async #loadAvailability() {
    const availability = await fetchAvailability(this.config.serverUrl);
    if (!availability) return;
    this.offline.setHours(availability.hours);
    if (this.connection.connected && this.agentsOnline !== undefined) this.#showAgentsOnline();
    if (!this.connection.connected) this.offline.setAgentsOnline(availability.agents_online === true);
    if (!this.session) this.offline.setMail(availability.mail);
  }

  /**
   * Store the address replies may be emailed to; before the chat exists it
   * waits for it. Answers what went wrong (in the language shown), or null.
   * @param {string} email
   * @returns {Promise<(() => string)|null>}
   */
  async #saveEmail(email) {
    if (!this.session) {
      this.offline.keepPending(email);
      return null;
    }
    const ack = await this.connection.request("set_email", { email });
    if (!ack.ok) {
      // Not connected now: it is sent again once connected.
      this.offline.keepPending(ack.error?.code === "timeout" ? email : null);
      if (ack.error?.code === "timeout") return null;
      // The server's words are English: in another language, its reason is said in that one.
      const { code, message } = ack.error || {};
      return () => {
        if (code === "invalid" && currentLocale() !== "en") return t("offline.email_invalid");
        return t("offline.not_saved", { reason: message || t("error.try_again") });
      };
    }
    this.offline.keepPending(null);
    this.offline.setEmail(ack.email);
    this.transcript.setAvailable(this.offline.mail);
    return null;
  }

  /** An address given before the chat existed goes to the server once connected. */
  async #savePendingEmail() {
    const problem = await this.#saveEmail(this.offline.pendingEmail);
    if (problem) this.offline.refuse(problem);
  }

  #observeStoredStatuses() {
    const { store } = this.timeline;
    this.receipts.observe("delivered", store.highestSeqFrom("agent", "delivered"));
    this.receipts.observe("seen", store.highestSeqFrom("agent", "seen"));
  }

  #isViewing() {
    return this.open && document.visibilityState === "visible";
  }

  /** Delivered up to the newest agent message; seen too while it is on screen. */
  #sendReceipts() {
    if (this.#isViewing()) this.#setUnread(0);
    const highest = this.timeline.store.highestSeqFrom("agent");
    if (!highest || !this.connection.connected) return;
    this.receipts.mark("delivered", highest);
    if (this.#isViewing()) this.receipts.mark("seen", highest);
  }

  #setUnread(count) {
    const changed = this.unread !== count;
    this.unread = count;
    if (changed) this.config.emit("unread", { count });
    this.view.setUnread(this.open ? 0 : count);
    this.titleNotice.set(count);
  }

  /** Keep tabs of the same visitor in step. */
  #onStorage(event) {
    if (event.key === this.storage.sessionKey) {
      const session = this.storage.loadSession();
      if (!session && this.session && !this.creating) {
        // Another tab ended the chat.
        this.#forgetSession({ byOtherTab: true });
        this.#showEnded();
      } else if (session && session.conversation_id !== this.session?.conversation_id) {
        // Another tab started a (new) chat: follow it.
        if (this.view.isEnded || this.session) this.#startNewChat({ focus: false });
        this.#adoptSession(session);
      }
      return;
    }
    if (event.key === this.storage.outboxKey) {
      this.outbox.reload();
      this.#showOutbox();
      this.outbox.flush();
    }
  }
}
