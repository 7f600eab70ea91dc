"""Nominations: Resident Coordinators and coordinators propose focal points for a scope."""
