"""Whole numbers in URLs: a number above a route's maximum names nothing.

Werkzeug's ``int`` converter refuses such a number by failing the match;
when another route has the same path with other methods (``PATCH`` and
``DELETE /canned/ID``), Werkzeug then answers ``405 Method Not Allowed``
for a method the path does allow. A 404 is the truth: there is no such
thing. Registered as ``int`` so that every route gets it.
"""

from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter


class WholeNumberConverter(IntegerConverter):
    def to_python(self, value: str) -> int:
        number = int(value)
        if self.max is not None and number > self.max:
            raise NotFound("no such id: it is above the largest id there can be")
        return super().to_python(value)


def install(app) -> None:
    """Use this converter for ``int`` in the app's routes (before they are added)."""
    app.url_map.converters["int"] = WholeNumberConverter
