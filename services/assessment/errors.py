"""What the assessment service's operations raise; the API turns them into 4xx answers."""

from __future__ import annotations


class NotFound(Exception):
    """No such record, or not one the caller may know exists (404)."""


class Forbidden(Exception):
    """The caller knows it exists but may not do this (403)."""


class Conflict(Exception):
    """Not allowed in the record's current state (409)."""


class Invalid(Exception):
    """Input that breaks a rule; `errors` names the fields like marshmallow does (422).

    `location` says where the fields were sent: "json" (the body) or "query".
    """

    def __init__(self, errors: dict, location: str = "json"):
        super().__init__(errors)
        self.errors = errors
        self.location = location

    @classmethod
    def field(cls, path: str, message: str, location: str = "json") -> Invalid:
        """One error at a dotted path: Invalid.field("actions.0.due_on", "...")."""
        errors: dict = {}
        node = errors
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = [message]
        return cls(errors, location)


class ServiceUnavailable(Exception):
    """A service this one depends on is down; try again later (503)."""
