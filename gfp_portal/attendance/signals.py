"""What the attendance domain announces to the domains built on it, which it does not know by
name."""
from blinker import Namespace

_signals = Namespace()

evaluations_due = _signals.signal("evaluations-due", doc="""
The evaluation run reminds everyone who attended one of `sessions` (held, their evaluation
open at `now`) and has not answered (in the caller's transaction, under its lock). The sender
is None. Domains whose participants attend sessions apart from the registrations (guests) ask
theirs by the same rules, once each, and return how many they asked.
""")

evaluation_respondents = _signals.signal("evaluation-respondents", doc="""
The Office reads how many answered the evaluations of `sessions` and how many attended them
and may answer. The sender is None. Domains whose participants attend sessions apart from the
registrations (guests) return {session id: (how many of theirs attended, how many of theirs
answered)}, leaving out the sessions none of theirs attended.
""")
