"""The single-use links of a self-registration: random, stored as a SHA-256 digest, expiring."""
import hashlib
import secrets
from datetime import timedelta


def digest(raw):
    return hashlib.sha256((raw or "").encode("utf-8")).hexdigest()


def new_token(request, *, days, now):
    """Give `request` a new link token (any earlier one stops working); returns the raw one."""
    raw = secrets.token_urlsafe(32)
    request.token_hash = digest(raw)
    request.token_expires_at = now + timedelta(days=days)
    return raw
