"""What the reference data announces to the domains built on it, which it does not know by
name."""
from blinker import Namespace

_signals = Namespace()

members_leaving = _signals.signal("members-leaving", doc="""
Entities are about to leave a UN Country Team (in the caller's transaction, before anything
changes). The sender is the Unct; `entities` are the Entity rows leaving it. Domains holding
rows that need the membership (the registry's active appointments) raise a DomainError, which
refuses the change.
""")

entity_closing = _signals.signal("entity-closing", doc="""
An entity is about to be given an active-until day, or an earlier one (in the caller's
transaction, before anything changes). The sender is the Entity; `on` is its last day.
Domains holding rows that run past it (the registry's active appointments) raise a
DomainError, which refuses the change.
""")
