// Sending files from the inbox: the paperclip, dropping files on the open
// conversation, pasting them into the reply box (common/file-sender.js).

import { FileSender } from "../common/file-sender.js";
import { t } from "../common/i18n.js";

const byId = (id) => document.getElementById(id);

/**
 * @param {{pane: import("./conversation.js").ConversationPane}} options
 * @returns {FileSender}
 */
export function setUpFiles({ pane }) {
  return new FileSender({
    button: byId("composer-attach"),
    input: byId("composer-file"),
    dropZone: byId("conversation"),
    pasteTarget: byId("composer-input"),
    tray: byId("composer-uploads"),
    maxBytes: Number(document.body.dataset.maxFileBytes) || undefined,
    refusal: () => whyNot(pane),
    target: async () => ({ url: `/api/v1/conversations/${pane.openId}/files`, conversationId: pane.openId }),
    onUploaded: (file, { conversationId }) => pane.sendFile(file, conversationId),
  });
}

function whyNot(pane) {
  if (pane.openId === null) return t("files.refusal.no_conversation");
  if (pane.noteMode.isNote) return t("files.refusal.note");
  if (pane.list.get(pane.openId)?.status === "closed") return t("files.refusal.ended");
  return null;
}
