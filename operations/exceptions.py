"""Domain errors that services raise and every interface turns into a clear answer."""


class DomainError(Exception):
    """A request that the rules refuse. ``status`` is the HTTP status the API answers with."""

    status = 400
    code = "invalid"

    def __init__(self, message, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra


class Conflict(DomainError):
    """The request clashes with the current state (illegal transition, stale version, in use)."""

    status = 409
    code = "conflict"


class Forbidden(DomainError):
    """The user's role does not allow this change."""

    status = 403
    code = "permission_denied"
