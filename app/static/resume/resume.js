// The page a reply email's link opens. The signed link is in the #fragment
// (browsers never send it to a server); it is exchanged for the
// conversation's visitor token, which the widget then finds where it keeps
// its session, and the widget starts with the chat open. The fragment is
// removed at once, so the link is neither in the history nor bookmarked.
// Its texts follow the page's language (<html lang>, chosen by the server).

import { t } from "../common/i18n.js";
import "../inbox/i18n.js";

const status = document.getElementById("resume-status");
const hint = document.querySelector(".resume__hint");
const origin = window.location.origin;

const link = decodeURIComponent(window.location.hash.slice(1));
history.replaceState(null, "", window.location.pathname);
resume(link);

async function resume(signed) {
  if (!signed) return fail(t("resume.incomplete"));
  let answer;
  try {
    const response = await fetch("/api/v1/resume", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ link: signed }),
      credentials: "omit",
    });
    answer = await response.json().catch(() => ({}));
    if (!response.ok) return fail(explain(answer?.error?.message));
  } catch {
    return fail(t("resume.unreachable"));
  }
  const session = { conversation_id: answer.conversation_id, visitor_token: answer.visitor_token };
  try {
    localStorage.setItem(`livechat:${origin}`, JSON.stringify(session));
    sessionStorage.setItem(`livechat:${origin}:open`, "true");
  } catch {
    return fail(t("resume.storage_blocked"));
  }
  status.textContent = t("resume.ready");
  startWidget();
}

function explain(message) {
  if (message === "this link has expired") {
    return t("resume.expired");
  }
  if (message === "this conversation has ended") return t("resume.ended");
  return t("resume.invalid");
}

function fail(text) {
  status.textContent = text;
  status.classList.add("resume__status--error");
  hint.hidden = true;
}

function startWidget() {
  const script = document.createElement("script");
  script.src = "/widget.js";
  script.defer = true;
  script.dataset.title = t("resume.title");
  document.body.append(script);
}
