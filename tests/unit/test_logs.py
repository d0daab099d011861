"""Log lines stay whole when several processes share one stdout.

A Celery worker's pool processes all write to the worker's stdout. A line written
in two pieces (the text, then its newline) lets another process's line land
between them, and the log shipper then sees two JSON objects on one line.
"""

import io
import json
import logging
import sys

import structlog

from shared.logs import configure_logging


class Recorder(io.StringIO):
    """A stdout that remembers each write it was given."""

    def __init__(self):
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


def test_each_line_is_one_write_of_one_json_object(monkeypatch):
    out = Recorder()
    monkeypatch.setattr(sys, "stdout", out)
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    configure_logging("notify")
    try:
        structlog.get_logger("test").info("emails sent", keys=["x" * 40] * 20)
        logging.getLogger("celery").warning("Task %s received", "notify.deliver")
    finally:
        structlog.reset_defaults()

    assert len(out.writes) == 2, out.writes
    for write in out.writes:
        assert write.endswith("\n") and write.count("\n") == 1
        assert json.loads(write)["service"] == "notify"
