"""What the library announces to the domains built on it, which it does not know by name."""
from blinker import Namespace

_signals = Namespace()

resource_deleting = _signals.signal("resource-deleting", doc="""
A library resource is about to be deleted (in the caller's transaction). The sender is the
Resource; `actor` and `now` are given. Domains that keep rows about a resource (the induction
path's openings of its documents) delete theirs, so that none is left to a later resource.
""")

resource_renamed = _signals.signal("resource-renamed", doc="""
A library resource's address changed (in the caller's transaction). The sender is the
Resource; `before` (its former address), `actor` and `now` are given. Domains that name
resources by their address (the induction path's documents) follow it.
""")
