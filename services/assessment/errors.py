"""What the assessment service's operations raise; the API turns them into 4xx answers."""

from __future__ import annotations


class NotFound(Exception):
    """No such record, or not one the caller may know exists (404)."""


class Forbidden(Exception):
    """The caller knows it exists but may not do this (403)."""


class Conflict(Exception):
    """Not allowed in the record's current state (409)."""


class Invalid(Exception):
    """Input that breaks a rule; `errors` names the fields like marshmallow does (422)."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors

    @classmethod
    def field(cls, path: str, message: str) -> Invalid:
        """One error at a dotted path: Invalid.field("actions.0.due_on", "...")."""
        errors: dict = {}
        node = errors
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = [message]
        return cls(errors)


class ServiceUnavailable(Exception):
    """A service this one depends on is down; try again later (503)."""
