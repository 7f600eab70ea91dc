"""What the registry announces to the domains built on it, which it does not know by name."""
from blinker import Namespace

_signals = Namespace()

appointment_ended = _signals.signal("appointment-ended", doc="""
An appointment was ended, withdrawn or lapsed (flushed, in the caller's transaction). The
sender is the Appointment; `followed` is True when a renewal follows it at once, so that the
person stays in the network.
""")
