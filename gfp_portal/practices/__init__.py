"""Good practices and success stories, and the awards of the network."""
