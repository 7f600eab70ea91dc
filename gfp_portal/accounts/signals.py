"""What accounts announce to the domains built on them, which they do not know by name."""
from blinker import Namespace

_signals = Namespace()

teams_left = _signals.signal("teams-left", doc="""
An account in use no longer leads some UN Country Teams (the administrator took them, or the
Resident Coordinator role, from it), in the caller's transaction. The sender is the User;
`uncts` the teams it left; `now` the time of the change. A deactivated account is announced
nothing: it is closed, and nothing is written to it.
""")
