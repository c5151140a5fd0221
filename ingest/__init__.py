"""policykb.ingest."""
