"""Bearer secrets: visitor tokens and agents' API tokens."""

import hashlib
import secrets


def new_secret() -> str:
    """A 256-bit random secret, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """Tokens are long random secrets, so one SHA-256 is enough to store them."""
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_secret(token: object) -> bool:
    """Whether ``token`` could be a secret of ours at all (a short ASCII string)."""
    return isinstance(token, str) and 0 < len(token) <= 200 and token.isascii()
