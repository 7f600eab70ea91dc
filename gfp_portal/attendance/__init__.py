"""Attendance, self check-in, imported meeting reports, evaluations and certificates."""
