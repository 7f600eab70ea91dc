"""What the sessions domain announces to the domains built on it, which it does not know by
name."""
from blinker import Namespace

_signals = Namespace()

session_notified = _signals.signal("session-notified", doc="""
The notice of a change of a session ("updated" or "cancelled") was queued to everyone
registered (in the caller's transaction). The sender is the TrainingSession; `kind`, `now` and
`since` (the change's SEQUENCE, or None: the session's) are given. Domains that invite others
to sessions (guests) send them the same notice, but not to whoever holds an entry of SEQUENCE
`since` or later, and return how many they sent it to.
""")

notice_reach = _signals.signal("notice-reach", doc="""
How many guests the notice of a change of the session would reach through session_notified,
asked before it is sent: to say so before a change or a cancellation is confirmed, and when a
job sends the notices later. The sender is the TrainingSession. Domains that invite others to
sessions (guests) return how many of theirs hold a place in it.
""")

session_moved = _signals.signal("session-moved", doc="""
The session's start or end changed (in the caller's transaction, before anyone is told). The
sender is the TrainingSession; `starts_before`, `actor` and `now` are given. Domains that place
things within a session's time (its agenda) move them with it, or raise a DomainError, which
refuses the change.
""")

reminders_due = _signals.signal("reminders-due", doc="""
The daily run reminds everyone registered for a session that starts after `now` and no later
than `until` (in the caller's transaction, under its lock). `now` and `until` are given; the
sender is None. Domains that invite others to sessions (guests) remind theirs by the same
rules, once each, and return how many they reminded.
""")

draft_deleting = _signals.signal("draft-deleting", doc="""
A draft is about to be deleted (in the caller's transaction). The sender is the
TrainingSession; `actor` and `now` are given. Domains that keep rows of a session (its agenda,
its guest invitation links) delete theirs, so that none is left behind.
""")

registration_leaving = _signals.signal("registration-leaving", doc="""
A registration is about to be cancelled: withdrawn by its person, or removed by the Office
(`by_coordinator`), before anything changes. The sender is the Registration. Domains that keep
records of a registration (its attendance) raise a DomainError, which refuses it.
""")
