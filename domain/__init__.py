"""The incident log's domain: events, times and the rules for appending.

Imports only the standard library and `eventsourcing`; no clock, no I/O.
"""
