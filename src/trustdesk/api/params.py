"""Typed request parameters shared by the API and the desk: ids that fit the database's columns."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from trustdesk.store.base import MAX_DB_INT

IdPath = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="an id")]
"""An id in a URL path: a number past a 64-bit column is a 422/404, never a database overflow (500)."""
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_DB_INT)]
"""An optional id in the query string."""
