"""`GET /integrity`: is the stored log the one that was written?

The hash chain (`store.chain`) is recomputed from the events as the store
holds them, not from what this process has in memory, and compared with the
chain kept beside them. The answer is the chain's head, or the first position
where it breaks and how; either way the check is counted in `/metrics`. A
check reads the whole log: on a large store it takes a while (`incidentlog
verify` shows its progress).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import Application
from api.schemas import problems
from observability.metrics import record_verify
from store.chain import Link

router = APIRouter(tags=["health"])

HEAD_PATTERN = r"^[0-9]+:[0-9a-fA-F]{64}$"


class ChainLink(BaseModel):
    position: int = Field(description="A log position (0 before the first event).", examples=[42])
    hash: str = Field(description="SHA-256, hex, of the event's canonical record and the hash before it "
                      "(64 zeros before the first event).", examples=["9f2c" + "0" * 60])


class ChainBreak(BaseModel):
    position: int = Field(description="The first position where the chain does not hold.")
    kind: Literal["changed", "missing", "inserted", "reordered", "unchained", "unsealed", "truncated",
                  "rewritten"] = Field(description=(
                      "changed: the event is not what was chained there; missing: the chain holds a position "
                      "whose event is gone; inserted: an event the chain never held; reordered: two events "
                      "swapped; unchained: events after the chain's end (an unfinished seal); unsealed: a log "
                      "never sealed (`incidentlog chain seal`); truncated, rewritten: the expected head is not "
                      "on the chain."))
    detail: str


class Integrity(BaseModel):
    intact: bool
    checked: int = Field(description="Events found chained, up to `head`.")
    head: ChainLink = Field(description="The last event found chained: the head when intact.")
    broken: ChainBreak | None = Field(description="Where the chain breaks, if it does.")


@router.get("/integrity", response_model=Integrity, responses=problems(422, 503))
def integrity(application: Application, expect_head: Annotated[str | None, Query(
        description="A head kept elsewhere (from `incidentlog head` or an earlier answer), as POS:HASH: the "
                    "log must still hold it, which also catches a tail cut off or rewritten with its chain.",
        pattern=HEAD_PATTERN, examples=["42:" + "0" * 64])] = None) -> Integrity:
    """Recompute the hash chain from the stored events: its head, or where and how it breaks (200 either way)."""
    verdict = application.chain.verify(Link.parse(expect_head) if expect_head else None)
    record_verify(verdict.intact, verdict.broken.position if verdict.broken else verdict.head.position)
    return Integrity.model_validate(verdict.to_json())
