"""Registry of focal points and alternates."""
