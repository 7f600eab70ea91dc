"""`make bench`: page and job timings on a network ten times the real one (DESIGN §7)."""
