"""What ``make bench`` needs before it starts, prepared the way ``make run`` prepares its own (issue 16
item 6): a newcomer's first ``make bench`` used to fail twice — wrk and pgbench missing, then the
``zhucun`` database role that only CI had made.

* the tools (wrk, pgbench, psql): installed from Debian's packages when missing and apt-get is usable
  (root), otherwise a Chinese message naming the command to run;
* the role of BENCH_PG (``zhucun``/``zhucun`` by default, CREATEDB): created through the server's
  superuser when it cannot log in — ``runuser -u postgres`` on the server's own machine (as
  ``.ci/run`` does), or the ``postgres`` role over TCP where the server trusts it.

Every step takes its command runner and ``which`` as arguments, so tests/test_bench_preflight.py can
check what would run without installing anything.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]
Which = Callable[[str], "str | None"]

#: tool → the Debian package that brings it
TOOLS = {"wrk": "wrk", "pgbench": "postgresql-client", "psql": "postgresql-client"}


class PreflightError(RuntimeError):
    """What is missing and how to add it, in words a newcomer can act on."""


def run(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), capture_output=True, text=True, check=False)


def ensure_tools(*, runner: Runner = run, which: Which = shutil.which, is_root: bool | None = None) -> list[str]:
    """Install the missing tools' packages; the packages installed (empty when all were there)."""
    missing = sorted({package for tool, package in TOOLS.items() if which(tool) is None})
    if not missing:
        return []
    root = os.geteuid() == 0 if is_root is None else is_root
    if not root or which("apt-get") is None:
        raise PreflightError(f"缺少压测工具：请先执行 sudo apt-get install -y {' '.join(missing)}")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *missing]):
        done = runner(command)
        if done.returncode != 0:
            raise PreflightError(f"安装 {' '.join(missing)} 失败：{done.stderr.strip()[-400:]}")
    return missing


def ensure_role(pg_url: str, *, runner: Runner = run, which: Which = shutil.which) -> bool:
    """Create BENCH_PG's role (LOGIN, CREATEDB) when it cannot log in; True when it was created."""
    parts = urlsplit(pg_url)
    role, password = parts.username or "zhucun", parts.password or "zhucun"
    host, port = parts.hostname or "127.0.0.1", str(parts.port or 5432)
    login = runner(["psql", f"{pg_url.rstrip('/')}/postgres", "-X", "-tAc", "SELECT 1"])
    if login.returncode == 0:
        return False
    if not role.replace("_", "").isalnum() or "'" in password:
        raise PreflightError(f"数据库角色名或口令含有不支持的字符：{role}")
    statement = f"CREATE ROLE {role} LOGIN PASSWORD '{password}' CREATEDB"
    attempts: list[list[str]] = []
    if host in {"127.0.0.1", "localhost", "::1"} and which("runuser") is not None:
        attempts.append(["runuser", "-u", "postgres", "--", "psql", "-X", "-p", port, "-c", statement])
    attempts.append(["psql", "-X", "-h", host, "-p", port, "-U", "postgres", "-d", "postgres", "-c", statement])
    errors = []
    for command in attempts:
        done = runner(command)
        if done.returncode == 0:
            return True
        errors.append(done.stderr.strip())
    raise PreflightError(
        f"无法登录 PostgreSQL（{host}:{port}，角色 {role}），也无法以超级用户创建该角色；"
        f"请让数据库管理员执行：{statement}。详情：{' / '.join(errors)[-400:]}"
    )


def prepare(pg_url: str) -> None:
    """Everything ``make bench`` needs; raises PreflightError with what to do when it cannot."""
    ensure_tools()
    ensure_role(pg_url)
