"""The random links of guests: an invitation's (kept as it is: it is meant to be passed on) and
a guest's own (kept as a SHA-256 digest)."""
import hashlib
import secrets


def digest(raw):
    return hashlib.sha256((raw or "").encode("utf-8")).hexdigest()


def new_raw():
    return secrets.token_urlsafe(32)
