"""Messages to the network: multilingual notices and newsletters to a filtered audience."""
