"""policykb.eval."""
