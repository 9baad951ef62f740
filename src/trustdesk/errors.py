"""The one base of every error a caller can act on: a stable code, a sentence, and the HTTP status.

``DomainError`` is raised by the capability packages and rendered in one place per surface: as
``{"error": {"code", "message"}}`` JSON by the API (``api.errors``) and as a page or an htmx line by the
desk (``web.app``). Subclasses name their family and default status; a raise may pass another code and
status (``ApprovalError("approval.state", "...", status=409)``). Errors without a code are bugs: 500.
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """An error with a ``code`` (``inbox.invalid_cursor``), a message for people and an HTTP ``status``.

    ``DomainError(code, message)`` names its code; a class with a fixed ``code`` is raised with the
    message alone (``NotVisible("no conversation 5")``).
    """

    code: str = "error"
    status: int = 400
    family: ClassVar[str] = ""

    def __init__(
        self, code_or_message: str = "", message: str | None = None, *, status: int | None = None
    ) -> None:
        if message is None:
            message = code_or_message
        else:
            self.code = code_or_message
        super().__init__(message or self.code)
        if status is not None:
            self.status = status
        elif self.code.endswith("not_found"):
            self.status = 404

    @property
    def message(self) -> str:
        """The sentence for people."""
        return str(self)
