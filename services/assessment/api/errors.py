"""Turning the service's exceptions into JSON error answers."""

from __future__ import annotations

import functools

from flask_smorest import abort

from services.assessment.errors import Conflict, Forbidden, Invalid, NotFound, ServiceUnavailable

RETRY_AFTER_SECONDS = 30


def answers_errors(view):
    """Decorate a view so domain exceptions become 404, 403, 409, 422 or 503."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except NotFound as exc:
            abort(404, message=str(exc) or "not found")
        except Forbidden as exc:
            abort(403, message=str(exc))
        except Conflict as exc:
            abort(409, message=str(exc))
        except Invalid as exc:
            abort(422, message="invalid input", errors={exc.location: exc.errors})
        except ServiceUnavailable as exc:
            abort(503, message=str(exc), headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    return wrapper
