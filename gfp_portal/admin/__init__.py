"""Administration: dashboard, user accounts, outbox and audit log."""
