"""Projections: pure folds of the log into the answers users ask for."""
