"""gunicorn settings for every Flask service: `gunicorn -c python:shared.gunicorn_conf APP`.

HOST (default 127.0.0.1), PORT, WEB_CONCURRENCY (worker processes, default 2),
GUNICORN_THREADS (threads per worker, default 1) and GUNICORN_TIMEOUT (seconds,
default 60) come from the environment, so `make run` and compose.yaml run the
same command (scripts/processes.py gives each service its threads).

In production the services sit behind nginx (deploy/nginx/), which reads each
request whole before it passes it on and takes each answer whole, so a slow
client holds nginx's cheap connection, never a worker. What is left to choose:

- The APIs keep sync workers (one thread): their requests are CPU work and
  short database waits, and the GIL makes threads take turns on the CPU
  (bench/assessment.py: gthread served fewer dialogues per second, with twice
  the p99). A sync worker answers "Connection: close", so nginx opens a fresh
  local connection per request, which costs little.
- The web sets GUNICORN_THREADS=4, so it runs gthread workers: each page waits
  on an API call, and meanwhile another thread renders another page.
  gthread also keeps nginx's connections alive between requests.
"""

import os
import shutil

from prometheus_client import multiprocess

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# A sync worker busy this long on one request is restarted (the organisation import is the
# longest); a gthread worker is restarted when its main loop stalls this long. nginx waits
# a little longer (proxy_read_timeout), so the answer is the service's, not a proxy timeout.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# On SIGTERM, requests under way get this long to finish (compose's stop_grace_period is longer).
graceful_timeout = 20
# Idle kept-alive connections (gthread) outlive nginx's upstream keepalive_timeout (30 s),
# so nginx always closes them first and never sends a request on one gunicorn just closed.
keepalive = 35
accesslog = None


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
