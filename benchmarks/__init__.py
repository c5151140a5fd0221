"""Benchmarks of policykb (speed, load, crash, scale, accuracy across documents); not installed, never imported by the product."""
