"""Implementation plans: each entity's gender parity implementation plan for a period."""
