"""Demonstration data for development and for trying the portal out."""
