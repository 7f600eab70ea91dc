"""People's control of their data: what the portal holds about a person (JSON and a readable
summary), anonymising a person who left, and the retention periods applied every day."""
