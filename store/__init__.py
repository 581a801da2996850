"""Persistence: the one seam between the incident log and its event store."""
