"""Serving the web page: the files of ``frontend/`` the page loads, and nothing of its
development (npm's node_modules, the helpers' tests, type declarations, package files)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import Scope

FRONTEND_DIR = Path(__file__).resolve().parent.parent / "frontend"
# What the page is made of: its HTML, scripts and styles, and the vendored libraries
# (with their images and licences).
SERVED_SUFFIXES = frozenset({".html", ".js", ".css", ".png", ".svg", ".ico", ".txt"})
NOT_SERVED_FOLDERS = frozenset({"node_modules", "tests"})


class PageFiles(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        if not is_served(path):
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)


def is_served(path: str) -> bool:
    """Whether a path below ``frontend/`` belongs to the page (``""`` and folders are its
    index)."""
    parts = PurePosixPath(path).parts
    if any(part in NOT_SERVED_FOLDERS for part in parts):
        return False
    name = parts[-1] if parts else ""
    return "." not in name or (
        PurePosixPath(name).suffix in SERVED_SUFFIXES and not name.endswith(".d.ts")
    )


def page_files() -> PageFiles:
    return PageFiles(directory=FRONTEND_DIR, html=True)
