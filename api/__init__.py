"""The HTTP interface: FastAPI routers over `store.application.IncidentLogApplication`.

Nothing imports this package except `cli/` (which serves it).
"""
