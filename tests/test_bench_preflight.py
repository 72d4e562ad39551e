"""``make bench`` on a fresh machine prepares its tools and database role itself (issue 16 item 6):
bench/preflight.py, asked with a recording runner so nothing is installed or created here."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

import pytest

from bench import preflight


class Recorder:
    """Answers each command with the next return code (0 when none is left) and keeps the commands."""

    def __init__(self, *codes: int) -> None:
        self.codes = list(codes)
        self.commands: list[list[str]] = []

    def __call__(self, command: Sequence[str]) -> subprocess.CompletedProcess[str]:
        self.commands.append(list(command))
        code = self.codes.pop(0) if self.codes else 0
        return subprocess.CompletedProcess(list(command), code, "", "role does not exist" if code else "")


def test_missing_wrk_and_pgbench_are_installed_from_debian_packages_as_root() -> None:
    runner = Recorder()

    def which(tool: str) -> str | None:
        return None if tool in {"wrk", "pgbench"} else f"/usr/bin/{tool}"

    installed = preflight.ensure_tools(runner=runner, which=which, is_root=True)
    assert installed == ["postgresql-client", "wrk"]
    assert runner.commands[-1] == ["apt-get", "install", "-y", "-qq", "postgresql-client", "wrk"]


def test_tools_present_install_nothing() -> None:
    runner = Recorder()
    assert preflight.ensure_tools(runner=runner, which=lambda tool: f"/usr/bin/{tool}", is_root=True) == []
    assert runner.commands == []


def test_without_root_the_newcomer_is_told_the_command_in_chinese() -> None:
    with pytest.raises(preflight.PreflightError, match="sudo apt-get install -y wrk"):
        preflight.ensure_tools(runner=Recorder(), which=lambda tool: None if tool == "wrk" else "/x", is_root=False)


def test_a_role_that_logs_in_is_left_alone() -> None:
    runner = Recorder(0)
    assert (
        preflight.ensure_role("postgres://zhucun:zhucun@127.0.0.1:5432", runner=runner, which=lambda t: "/x") is False
    )
    assert len(runner.commands) == 1 and runner.commands[0][:2] == [
        "psql",
        "postgres://zhucun:zhucun@127.0.0.1:5432/postgres",
    ]


def test_a_missing_role_is_created_through_the_local_superuser_like_ci_does() -> None:
    runner = Recorder(2, 0)
    assert preflight.ensure_role("postgres://zhucun:secret@127.0.0.1:5433", runner=runner, which=lambda t: "/x")
    assert runner.commands[1] == [
        "runuser", "-u", "postgres", "--", "psql", "-X", "-p", "5433", "-c",
        "CREATE ROLE zhucun LOGIN PASSWORD 'secret' CREATEDB",
    ]  # fmt: skip


def test_a_role_that_cannot_be_created_stops_the_bench_with_the_statement_to_run() -> None:
    runner = Recorder(2, 2, 2)
    with pytest.raises(preflight.PreflightError, match="CREATE ROLE zhucun LOGIN PASSWORD 'zhucun' CREATEDB"):
        preflight.ensure_role("postgres://zhucun:zhucun@127.0.0.1:5432", runner=runner, which=lambda t: "/x")
    assert [c[0] for c in runner.commands] == ["psql", "runuser", "psql"]
