"""policykb.app."""
