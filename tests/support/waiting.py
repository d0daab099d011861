"""Waiting in tests for what they expect, never for a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    check: Callable[[], T], *, message: str | Callable[[], str], timeout: float = 30.0,
    interval: float = 0.1, ignoring: tuple[type[Exception], ...] = (),
) -> T:
    """check()'s first true answer, asked every interval seconds; fails the test after
    timeout seconds with message (a callable is asked then, to describe what it sees).

    An exception from check fails the test at once, unless it is one of `ignoring`
    (a service still starting refuses connections): that counts as not yet."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if answer := check():
                return answer
        except ignoring:
            pass
        if time.monotonic() >= deadline:
            described = message() if callable(message) else message
            raise AssertionError(f"{described} (waited {timeout:g} s)")
        time.sleep(interval)
