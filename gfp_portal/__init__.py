"""The GFP Portal: extranet of the network of Gender Focal Points in the UN system."""
