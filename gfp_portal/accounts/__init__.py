"""User accounts, roles, sign-in, activation and password reset."""
