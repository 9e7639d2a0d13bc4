// English texts of the visitor widget, and the fallback for every other
// locale. Every locale's file has the same keys (tests/test_i18n_catalogues.py
// checks); a plural text is an object of Intl.PluralRules categories. The
// body between `export default` and the final semicolon is plain JSON.
export default {
  "widget.title": "Chat with us",
  "widget.greeting": "Hi there! How can we help you today?",
  "widget.support": "Support",
  "presence.team.unknown": "We're here to help",
  "presence.team.online": "We're online",
  "presence.team.offline": "We'll reply soon",
  "presence.agent.unknown": "usually answers in a few minutes",
  "presence.agent.online": "is answering",
  "presence.agent.offline": "usually answers in a few minutes",
  "presence.agent.away": "is away; the team is online",
  "connection.connecting": "Connecting…",
  "connection.reconnecting": "Reconnecting…",
  "launcher.open": "Open chat",
  "launcher.close": "Close chat",
  "launcher.unread": {
    "one": "{label} ({count} unread)",
    "other": "{label} ({count} unread)"
  },
  "panel.close": "Close chat",
  "panel.close_hint": "Close (Esc)",
  "panel.options": "Chat options",
  "panel.messages": "Messages",
  "panel.older": "Loading earlier messages…",
  "composer.label": "Message",
  "composer.placeholder": "Write a message…",
  "composer.send": "Send message",
  "composer.send_hint": "Send (Enter)",
  "end.menu_item": "End chat",
  "end.confirm_title": "End this chat?",
  "end.confirm_text": "The conversation will be closed and you won't be able to reply to it any more.",
  "end.cancel": "Cancel",
  "end.confirm": "End chat",
  "end.ending": "Ending…",
  "end.failed": "Could not end the chat. Try again.",
  "end.failed_reason": "Could not end the chat: {reason}.",
  "end.unreachable": "The chat server cannot be reached. Check your connection and try again.",
  "ended.title": "Chat ended",
  "ended.text": "Thanks for chatting with us.",
  "ended.new_chat": "Start a new chat",
  "state.answered": "Marked as answered — write again if you need anything else",
  "state.agent_answering": "{name} is answering your chat",
  "notice.new_messages": {
    "one": "({count}) New message · {title}",
    "other": "({count}) New messages · {title}"
  },
  "notice.agent_message": "{name}: {body}"
};
