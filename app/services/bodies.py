"""What a message body is: how it is trimmed, when it is blank, how long it is.

The bundled clients apply the same rules (app/static/common/bodies.js), so
the composer refuses exactly the bodies the server refuses; docs/protocol.md
("Message bodies") states them for every client.
"""

import unicodedata

# Unicode's White_Space property, the set JavaScript's /\p{White_Space}/u
# matches. Not str.strip()'s set: that also strips U+001C to U+001F and
# JavaScript's trim() strips U+FEFF, so neither agrees with the other.
WHITE_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

# Characters that draw nothing by themselves: separators (Zs, Zl, Zp),
# controls (Cc), format characters (Cf: byte order mark, zero-width space,
# joiners, bidi marks) and combining marks with nothing to combine with (Mn,
# Me; variation selectors are Mn).
INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me"})
# Letters (Lo) that draw nothing: the Hangul fillers.
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def trim(body: str) -> str:
    """The body without white space at either end; this is what is stored."""
    return body.strip(WHITE_SPACE)


def is_blank(body: str) -> bool:
    """True when nothing in the body would show on screen."""
    return all(
        char in INVISIBLE_LETTERS or unicodedata.category(char) in INVISIBLE_CATEGORIES
        for char in body
    )


def length(body: str) -> int:
    """Length in Unicode code points (an emoji is one, not two UTF-16 units)."""
    return len(body)
