"""Is the store reachable, and how far does the log reach?"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import Application
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(application: Application) -> dict[str, Any]:
    application.catch_up()  # reads the store, so a dead store fails here
    return {"status": "ok", **application.describe()}
