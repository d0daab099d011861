"""gunicorn settings for every Flask service: `gunicorn -c python:shared.gunicorn_conf APP`.

HOST (default 127.0.0.1), PORT and WEB_CONCURRENCY (workers, default 2) come
from the environment, so `make run` and compose.yaml run the same command.
"""

import os
import shutil

from prometheus_client import multiprocess

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = None
graceful_timeout = 20


def on_starting(_server):
    """Start each run with an empty metrics folder (multiprocess mode)."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)


def child_exit(_server, worker):
    """Let /metrics forget a dead worker's live gauges (multiprocess mode)."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        multiprocess.mark_process_dead(worker.pid)
