"""policykb.kb."""
