"""UNCT coverage: which country teams and entities have their focal points."""
