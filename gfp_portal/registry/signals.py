"""What the registry announces to the domains built on it, which it does not know by name."""
from blinker import Namespace

_signals = Namespace()

appointment_ended = _signals.signal("appointment-ended", doc="""
An appointment was ended, withdrawn or lapsed (flushed, in the caller's transaction). The
sender is the Appointment; `followed` is True when a renewal follows it at once, so that the
person stays in the network; `now` is the time of the change. An end entered ahead leaves the
term held until its last day (Appointment.held_on), which may be after `now`.
""")

appointment_started = _signals.signal("appointment-started", doc="""
A person was appointed (flushed, or pending in an import's batch, in the caller's
transaction): by nomination approval, join request approval, import, the registry's form or a
replacement. The sender is the Appointment; `renewal` is True when it renews the person's
previous term, `now` is the time of the change, `actor` who made it (None: the system).
""")

email_taking = _signals.signal("email-taking", doc="""
A person is about to take `email`: a new one (`before` is None) or one whose address changes
from `before`, before anything is written. The sender is the Person; `actor` is who makes the
change (None: the system). Domains that sign people in by their address raise a DomainError
when it opens someone else's account, or when `actor` may not move the person's own, and
follow the change.
""")

emails_taking = _signals.signal("emails-taking", doc="""
New people are about to take the addresses `emails` (lower case) all at once, as an import
plans or creates them, before anything is written; the sender is None. Domains that sign
people in by their address return {address: DomainError} for those that open an account: what
email_taking raises for one person, found for all of them in one query.
""")

preferences_changed = _signals.signal("preferences-changed", doc="""
The language or time zone of a person already saved changed in the registry (in the caller's
transaction). The sender is the Person. Domains that keep the person's preferences of their
own (the account) follow them.
""")

people_signing_in = _signals.signal("people-signing-in", doc="""
Which of the people `person_ids` can sign in to the portal, asked before writing to them: an
email links to a page behind the sign-in (a term alert to the person's profile, an induction
mail to their checklist, a session notice to the session, a plan's emails to the plan, a
message to the network to its archive) only when they can open it. The sender is None;
`roles`, when not None, names the account roles of which the page asks one (the archive is
the network's and the Office's). Domains that sign people in return the set of those ids
whose account signs in (holding one of `roles`). Ask through registry.queries.signing_in.
""")
