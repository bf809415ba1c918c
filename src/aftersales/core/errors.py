"""Domain errors. Views show them as messages; the API turns them into 400/403/409 JSON."""

from typing import Any


class DomainError(Exception):
    """A business rule refused the change. `fields` names the inputs at fault."""

    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, **extra: Any):
        super().__init__(message)
        self.message = str(message)
        self.fields = {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items()}
        self.extra = extra


class NotAllowed(DomainError):
    code = "forbidden"


class InvalidTransition(DomainError):
    code = "invalid_transition"


class Conflict(DomainError):
    code = "conflict"
