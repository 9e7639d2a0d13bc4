// English texts of the parts the widget and the inbox share: ticks, day
// separators, the typing line, the composer's limit, files and uploads. Every locale's file has
// the same keys (tests/test_i18n_catalogues.py checks); a plural text is an
// object of Intl.PluralRules categories. The body between `export default`
// and the final semicolon is plain JSON.
export default {
  "status.pending": "Sending",
  "status.failed": "Not sent",
  "status.sent": "Sent",
  "status.delivered": "Delivered",
  "status.seen": "Seen",
  "message.not_sent": "Not sent: {reason}",
  "message.refused": "refused by the server",
  "send.not_connected": "Not connected",
  "send.no_answer": "No answer from the server",
  "send.unexpected": "Unexpected answer from the server",
  "day.today": "Today",
  "day.yesterday": "Yesterday",
  "time.now": "now",
  "time.minutes": "{count} min",
  "time.hours": "{count} h",
  "typing.someone": "Someone",
  "typing.named": "{name} is typing…",
  "composer.too_long": "Too long: {length} characters, {max} at most.",
  "file.open": "Open {name}",
  "file.download": "Download {name}",
  "file.size_download": "{size} · Download",
  "file.unavailable": "{name} could not be loaded",
  "size.bytes": "{size} B",
  "size.kilobytes": "{size} KB",
  "size.megabytes": "{size} MB",
  "upload.not_sent": "{name} was not sent: {reason}",
  "upload.too_large": "it is {size}; files may be {max} at most",
  "upload.server_too_large": "the file is too large",
  "upload.rate_limited": "too many files at once; wait a minute",
  "upload.unreachable": "the server could not be reached; try again",
  "upload.status": "the server answered {status}",
  "upload.progress": "Uploading {name}",
  "upload.cancel": "Cancel",
  "upload.dismiss": "Dismiss",
  "upload.forbidden": "files can't be sent in this chat",
  "upload.invalid": "this file can't be sent"
};
