"""One `APIRouter` per resource; each handler is one call into the application."""
