// The agent inbox: wires the connection, the conversation list, the open
// conversation and the alerts together, and routes server events to them.

import "./i18n.js";
import { ChatConnection } from "../common/connection.js";
import { t } from "../common/i18n.js";
import { Outbox } from "../common/outbox.js";
import { ReceiptTracker } from "../common/receipts.js";
import { ConversationActions } from "./actions.js";
import { AssignmentControls } from "./assignment.js";
import { setUpCanned } from "./canned.js";
import { ConversationPane } from "./conversation.js";
import { setUpFiles } from "./files.js";
import { visitorName } from "./format.js";
import { installShortcuts } from "./keys.js";
import { ConversationList } from "./list.js";
import { InboxAlerts } from "./notifications.js";
import { RatingBadge } from "./rating.js";
import { TypingPreview } from "./typing-preview.js";
import { deskSettings } from "./settings.js";
import { InboxSearch } from "./search.js";
import { Toast } from "./toast.js";
import { fetchView, ViewTabs } from "./views.js";
import { VisitorPanel } from "./visitor-panel.js";

const CONNECTION_TEXT = { connecting: "connection.connecting", reconnecting: "connection.reconnecting" };

const agentName = document.body.dataset.agentName || "";
const agentId = Number(document.body.dataset.agentId);
const pollingOnly = new URLSearchParams(window.location.search).get("transport") === "polling";

/** @type {Map<number, ReceiptTracker>} */
const trackers = new Map();

const ratingBadge = new RatingBadge(document.getElementById("conversation-rating"));
const typingPreview = new TypingPreview(document.getElementById("conversation-preview"));
const alerts = new InboxAlerts(document.getElementById("enable-notifications"));
const toast = new Toast(document.getElementById("inbox-toast"));
const canned = setUpCanned({
  textarea: document.getElementById("composer-input"),
  openButton: document.getElementById("canned-open"),
});

const tabs = new ViewTabs({
  tablist: document.getElementById("view-tabs"),
  sortSelect: document.getElementById("view-sort"),
  panel: document.getElementById("conversation-panel"),
  agentId,
  onChange: (view, sort) => list.show(view, sort).catch(onListError),
});

const list = new ConversationList({
  listElement: document.getElementById("conversation-list"),
  emptyElement: document.getElementById("conversation-list-empty"),
  moreElement: document.getElementById("conversation-list-more"),
  agentName,
  agentId,
  view: tabs.view,
  sort: tabs.sort,
  fetchPage: fetchView,
  onSelect: (id) => pane.open(id),
  onChange: () => alerts.setUnreadTotal(list.totalUnread()),
  onPage: (summaries, counts) => {
    for (const summary of summaries) acknowledgeLastMessage(summary);
    tabs.setCounts(counts);
  },
});

const outbox = new Outbox({
  send: (item) => connection.request("send_message", {
    conversation_id: item.conversation_id, client_id: item.client_id, body: item.body, file_id: item.file_id,
  }),
  onSent: (item, message) => {
    pane.onSent(item, message);
    list.noteMessage(message);
  },
  onFailed: (item, error) => pane.onFailed(item, error),
});

// Same origin as the page, authenticated by the logged-in agent's session cookie.
const connection = new ChatConnection({
  pollingOnly,
  onState: showConnectionState,
  onConnect,
  onUnauthorized: () => window.location.assign(`/login?next=${encodeURIComponent("/agent")}`),
  handlers: {
    conversation: onConversation,
    conversation_deleted: ({ conversation_id: id }) => forgetConversation(id),
    counts: (counts) => tabs.setCounts(counts),
    message: onMessage,
    receipt: onReceipt,
    typing: onTyping,
    presence: onPresence,
    canned_changed: () => canned.changed(),
    settings: ({ settings }) => deskSettings.update(settings),
    agents: (payload) => assignment.onAgents(payload),
    activity: (line) => pane.onActivity(line),
    rating: (payload) => ratingBadge.onRating(payload),
    typing_preview: (payload) => typingPreview.onPreview(payload),
  },
});

const pane = new ConversationPane({
  connection,
  outbox,
  list,
  agentName,
  trackerFor,
  onOpenChange: (id) => {
    list.setActive(id);
    actions.setConversation(id);
    assignment.setConversation(id);
    visitorPanel.show(id);
    ratingBadge.setConversation(id);
    typingPreview.setConversation(id);
    document.getElementById("inbox").classList.toggle("inbox--conversation-open", id !== null);
  },
});

setUpFiles({ pane });

const actions = new ConversationActions({
  exportLink: document.getElementById("conversation-export"),
  deleteButton: document.getElementById("conversation-delete"),
  dialog: document.getElementById("delete-dialog"),
  describe: (id) => visitorName(list.get(id) || { id }),
  onDeleted: (id) => forgetConversation(id),
});

const visitorPanel = new VisitorPanel({
  columns: document.getElementById("inbox"),
  actions: document.querySelector(".conversation__actions"),
  onOpen: (id) => pane.open(id),
});
const assignment = new AssignmentControls({ connection, list, toast, onAnswer: onConversation });
new InboxSearch({ onOpen: (id, seq) => pane.open(id, { atSeq: seq }) });

connection.open();
installShortcuts();

/**
 * The receipts this inbox has sent for one conversation.
 * @param {number} id
 * @returns {ReceiptTracker}
 */
function trackerFor(id) {
  if (!trackers.has(id)) {
    trackers.set(id, new ReceiptTracker((status, upToSeq) =>
      connection.request("receipt", { conversation_id: id, status, up_to_seq: upToSeq })));
  }
  return trackers.get(id);
}

function showConnectionState(state) {
  const element = document.getElementById("connection-state");
  element.textContent = CONNECTION_TEXT[state] ? t(CONNECTION_TEXT[state]) : "";
  element.hidden = !element.textContent;
  if (state !== "online") outbox.setReady(false);
}

async function onConnect() {
  outbox.setReady(true);
  canned.changed(); // changes made while this inbox was offline
  await Promise.all([loadList(), pane.resync(), deskSettings.load(), assignment.load()]);
}

async function loadList() {
  await list.reload().catch(onListError);
}

function onListError(error) {
  if (error.status === 401) window.location.assign("/login?next=/agent");
}

/** The list shows the last message, so a visitor's message there has been delivered. */
function acknowledgeLastMessage(summary) {
  const last = summary.last_message;
  if (!last || last.sender !== "visitor") return;
  const tracker = trackerFor(summary.id);
  tracker.observe(last.status === "seen" ? "seen" : "delivered", last.status === "sent" ? 0 : last.seq);
  tracker.mark("delivered", last.seq);
}

/**
 * A conversation was deleted (here or by another agent): take it off the
 * list and close it if it is open. Runs twice for a deletion made here
 * (the answer, then the event); the second time finds nothing to do.
 * @param {number} id
 */
function forgetConversation(id) {
  const name = visitorName(list.get(id) || { id });
  const focusWasInPane = document.querySelector(".inbox__pane")?.contains(document.activeElement)
    || document.activeElement === document.body;
  const wasOpen = pane.onDeleted(id);
  const wasListed = list.remove(id);
  trackers.delete(id);
  outbox.clear(id);
  if (!wasOpen && !wasListed) return;
  toast.show(t("delete.done", { name }));
  // Its buttons are gone; put keyboard focus somewhere sensible.
  if (wasOpen && focusWasInPane) (list.firstButton() || document.getElementById("conversation-list-title")).focus();
}

function onConversation(summary) {
  list.upsert(summary);
  pane.onSummary(summary);
  assignment.onSummary(summary);
  visitorPanel.onSummary(summary);
}

function onMessage(message) {
  typingPreview.onMessage(message);
  // One the list does not show comes with its summary, if it belongs in the view.
  list.noteMessage(message);
  const shown = pane.onMessage(message);
  if (message.sender !== "visitor") return;
  trackerFor(message.conversation_id).mark("delivered", message.seq);
  if (!shown || document.visibilityState !== "visible") alertVisitorMessage(message);
}

function alertVisitorMessage(message) {
  const summary = list.get(message.conversation_id) || { id: message.conversation_id };
  alerts.notify({
    title: t("notify.wrote", { name: visitorName(summary) }),
    body: message.body,
    tag: `conversation-${message.conversation_id}`,
    onClick: () => pane.open(message.conversation_id),
  });
}

function onReceipt(receipt) {
  pane.onReceipt(receipt);
  // Another agent (or tab) already sent it; no need to repeat it from here.
  if (receipt.by === "agent") trackerFor(receipt.conversation_id).observe(receipt.status, receipt.up_to_seq);
}

function onTyping(typing) {
  typingPreview.onTyping(typing);
  pane.onTyping(typing);
  if (typing.sender === "visitor") list.patch(typing.conversation_id, { visitor_typing: Boolean(typing.is_typing) });
}

function onPresence({ conversation_id: id, who, online }) {
  if (who !== "visitor") return;
  list.patch(id, { visitor_online: Boolean(online) });
  const summary = list.get(id);
  if (summary) pane.onSummary(summary);
}
