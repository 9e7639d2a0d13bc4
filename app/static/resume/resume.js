// The page a reply email's link opens. The signed link is in the #fragment
// (browsers never send it to a server); it is exchanged for the
// conversation's visitor token, which the widget then finds where it keeps
// its session, and the widget starts with the chat open. The fragment is
// removed at once, so the link is neither in the history nor bookmarked.

const status = document.getElementById("resume-status");
const hint = document.querySelector(".resume__hint");
const origin = window.location.origin;

const link = decodeURIComponent(window.location.hash.slice(1));
history.replaceState(null, "", window.location.pathname);
resume(link);

async function resume(signed) {
  if (!signed) return fail("This link is incomplete. Open it again from your email.");
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
    return fail("The chat server cannot be reached. Check your connection and reload this page.");
  }
  const session = { conversation_id: answer.conversation_id, visitor_token: answer.visitor_token };
  try {
    localStorage.setItem(`livechat:${origin}`, JSON.stringify(session));
    sessionStorage.setItem(`livechat:${origin}:open`, "true");
  } catch {
    return fail("This browser does not let the chat keep your conversation (storage is blocked).");
  }
  status.textContent = "Here is your conversation.";
  startWidget();
}

function explain(message) {
  if (message === "this link has expired") {
    return "This link has expired. Start a new chat on our site; we'll be glad to help.";
  }
  if (message === "this conversation has ended") return "This conversation has ended.";
  return "This link is not valid. Open it again from your email.";
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
  script.dataset.title = "Your conversation";
  document.body.append(script);
}
