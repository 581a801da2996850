"""Benchmarks: `make bench`. Figures, not timed tests."""
