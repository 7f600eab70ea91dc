"""The programme of a session (its agenda) and its guests: outside speakers and participants."""
