"""Training sessions: scheduling, registration with a waitlist, calendar invites and feeds."""
