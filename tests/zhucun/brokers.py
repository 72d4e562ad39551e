"""Brokers for fault tests: publish for real (not eagerly) to a closed port, to a private
redis-server that a test may pause with SIGSTOP, and back. Never the shared Redis: a fault is made
on a server the test started itself (or on no server at all)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from kombu import pools

from zhucun.celery import app


def needs(condition: bool, reason: str) -> None:
    """Skip when ``condition`` is false, except in CI (ZHUCUN_REQUIRE_CELERY), where it fails."""
    if not condition:
        if os.environ.get("ZHUCUN_REQUIRE_CELERY"):
            pytest.fail(f"CI requires the fault tests: {reason}")
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def closed_port_url() -> str:
    """A Redis URL where nothing listens: every connection is refused at once."""
    return f"redis://127.0.0.1:{free_port()}/0"


def _reset_pools() -> None:
    """Close every pooled broker connection; the next publish connects to the configured URL."""
    pools.reset()  # type: ignore[no-untyped-call]  # kombu is untyped
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """Tasks are published to ``url`` (not run in-process) while the block runs."""
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    _reset_pools()
    app.conf.broker_url = url
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        _reset_pools()
        app.conf.broker_url, app.conf.task_always_eager = saved


class RedisServer:
    """A redis-server of the test's own, on a free port, that can be paused and resumed."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("the private redis-server did not start")
            time.sleep(0.05)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def _integer(self, command: str) -> int:
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
            conn.sendall(f"{command}\r\n".encode())
            return int(conn.recv(64).strip().lstrip(b":"))

    def idle(self, queue: str = "celery") -> bool:
        """No message waits in ``queue`` and none is delivered but unacknowledged (kombu's keys)."""
        return self._integer(f"LLEN {queue}") == 0 and self._integer("HLEN unacked") == 0

    def stop(self) -> None:
        if self.process.poll() is None:
            self.resume()
            self.process.terminate()
            self.process.wait(timeout=10)


@contextmanager
def private_redis(workdir: Path) -> Iterator[RedisServer]:
    needs(shutil.which("redis-server") is not None, "redis-server is not installed")
    server = RedisServer(workdir)
    try:
        yield server
    finally:
        server.stop()
