"""The single-use links of a self-registration: random, stored as a digest, expiring."""
from datetime import timedelta

from gfp_portal.core.tokens import digest, new_raw


def new_token(request, *, days, now):
    """Give `request` a new link token (any earlier one stops working); returns the raw one."""
    raw = new_raw()
    request.token_hash = digest(raw)
    request.token_expires_at = now + timedelta(days=days)
    return raw
