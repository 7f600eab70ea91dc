"""The random tokens of the portal's links. A token that opens something on its own (an
account link, a calendar feed, a self-registration, a guest's place) is kept only as its
SHA-256 digest, and looked up by it."""
import hashlib
import secrets


def new_raw(nbytes=32):
    """A new random token, safe in a URL."""
    return secrets.token_urlsafe(nbytes)


def digest(raw):
    """The hex SHA-256 digest of a raw token, as stored and looked up (that of "" for None)."""
    return hashlib.sha256((raw or "").encode("utf-8")).hexdigest()
