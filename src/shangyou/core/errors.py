"""Application errors: raised by services and selectors, mapped once to HTTP and UI messages.

Each carries a translatable message a user can act on. `handlers` in `core.api` (JSON) and
`core.middleware` (HTML) translate them; nothing else catches them.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    status_code = 400
    code = "error"
    default_message = _("The request could not be completed.")

    def __init__(self, message: Any = None, *, extra: dict | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.extra = extra or {}
        super().__init__(str(self.message))


class ValidationFailed(ApplicationError):
    status_code = 422
    code = "validation_failed"
    default_message = _("Some fields are not valid.")

    def __init__(
        self, message: Any = None, *, errors: dict[str, list[str]] | None = None, **kw
    ) -> None:
        self.errors = errors or {}
        super().__init__(message, **kw)

    @classmethod
    def from_django(cls, exc) -> "ValidationFailed":
        """Build from a django.core.exceptions.ValidationError."""
        if hasattr(exc, "message_dict"):
            errors = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            errors = {"__all__": [str(m) for m in exc.messages]}
        first = next(iter(errors.values()))[0] if errors else None
        return cls(first, errors=errors)


class NotFound(ApplicationError):
    status_code = 404
    code = "not_found"
    default_message = _("Not found.")


class PermissionDenied(ApplicationError):
    status_code = 403
    code = "permission_denied"
    default_message = _("You do not have permission to do this.")


class Conflict(ApplicationError):
    status_code = 409
    code = "conflict"
    default_message = _("This record was changed by someone else. Reload it and try again.")


class RateLimited(ApplicationError):
    status_code = 429
    code = "rate_limited"
    default_message = _("Too many attempts. Please wait a few minutes and try again.")
