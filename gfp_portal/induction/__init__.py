"""The induction path of newly appointed focal points and alternates: a checklist (terms of
reference read, induction sessions attended, key guidelines opened), invitations, reminders,
and the Office's view of who has completed it."""
