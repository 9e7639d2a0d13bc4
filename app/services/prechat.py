"""The widget's optional pre-chat form: which fields it asks, chosen by admins."""

from app.services import settings

FIELDS = ("name", "email")


def fields() -> dict[str, str]:
    """``{"name": ask, "email": ask}`` from the desk settings."""
    current = settings.current()
    return {field: current[f"prechat_{field}"] for field in FIELDS}
