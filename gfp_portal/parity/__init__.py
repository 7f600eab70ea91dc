"""Gender parity figures: the quarterly women and men of each entity by grade and duty station,
imported from the UN System-wide Dashboard on Gender Parity, and the figures drawn from them."""
