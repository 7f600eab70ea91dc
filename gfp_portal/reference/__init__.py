"""Reference data: UN entities, UN Country Teams and duty stations."""
