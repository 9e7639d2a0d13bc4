"""Message bodies on both sides of the line between blank, sendable and too long.

One table for the server's tests and the composer's (browser) tests, so that
both hold the server and the clients to the same rule (docs/protocol.md,
"Message bodies"). Limits are for the default CHAT_MAX_BODY_CHARS of 5,000.
"""

EMOJI = "\U0001f600"  # one code point, two UTF-16 units

BLANK = {
    "empty": "",
    "spaces and newlines": " \n\t \r\n",
    "no-break and em spaces": "\u00a0\u2003",
    "byte order mark": "\ufeff",
    "zero-width space": "\u200b",
    "zero-width joiners and word joiner": "\u200d\u200c\u2060",
    "bidi marks": "\u200e\u200f",
    "combining marks alone": "\u0301\u0308",
    "enclosing mark alone": "\u20dd",
    "variation selectors alone": "\ufe0f\U000e0100",
    "unit separator": "\x1f",
    "controls": "\x1c\x1d\x1e\x07\x85",
    "line and paragraph separators": "\u2028\u2029",
    "hangul fillers": "\u3164\uffa0",
    "all of them with spaces": " \ufeff\u200b\u0301 \x1f\u3164\n",
}

# Sendable bodies, and what the server stores for each (trimmed at both ends).
SENDABLE = {
    "one letter": ("a", "a"),
    "letter with a combining accent": ("e\u0301", "e\u0301"),
    "emoji with variation selector": ("\u2764\ufe0f", "\u2764\ufe0f"),
    "letter after a byte order mark": ("\ufeffHi", "\ufeffHi"),
    "letter and a unit separator": ("a\x1f", "a\x1f"),
    "padded with spaces": ("  Hello there \n", "Hello there"),
    "5,000 emoji": (EMOJI * 5000, EMOJI * 5000),
    "5,000 letters with padding": ("  " + "x" * 4999 + "y\n", "x" * 4999 + "y"),
}

TOO_LONG = {
    "5,001 emoji": EMOJI * 5001,
    "5,001 letters": "x" * 5001,
}
