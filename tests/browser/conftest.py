"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live server.

Playwright's browsers cannot be downloaded on these machines, so the launch uses /usr/bin/chromium
(docs/TOOLCHAIN: `apt-get install chromium fonts-wqy-microhei`). Without it the tests here are
skipped, unless ZHUCUN_REQUIRE_BROWSER is set (CI), in which case they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, expect

from zhucun.testing.world import World, build_world

# The sync Playwright API runs an event loop in the test thread; Django's ORM refuses to run there
# unless told it is safe (it is: one thread, no concurrent coroutines). `make pytest` sets it too.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
_HERE = Path(__file__).resolve().parent

# CI machines have two cores shared with the live server and the rest of the suite: wait longer than
# Playwright's 5 s default before an expectation fails.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/browser is a browser test (``-m "not browser"`` deselects them)."""
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)"
        if os.environ.get("ZHUCUN_REQUIRE_BROWSER"):
            pytest.fail(f"ZHUCUN_REQUIRE_BROWSER is set but {message}", pytrace=False)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def world(transactional_db: None) -> World:
    """The org tree and personas, committed (the live server runs in another thread)."""
    return build_world()


_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__zcCspViolation({url: document.URL, directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample});
});
"""


def watch_csp(context: BrowserContext) -> list[str]:
    """Every Content-Security-Policy violation in the context's pages, as the browser reports it: the
    securitypolicyviolation events and the console's "Refused to …" errors."""
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(f"console: {message.text}")

    def on_report(source: Any, report: dict[str, str]) -> None:
        violations.append(f"{report['url']}: {report['directive']} blocked {report['blocked']!r} {report['sample']!r}")

    context.on("console", on_console)
    context.expose_binding("__zcCspViolation", on_report)
    context.add_init_script(_REPORT_VIOLATIONS)
    return violations


@pytest.fixture(autouse=True)
def csp_violations(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Every browser test runs under the CSP and fails on any violation (issue 10 item 10)."""
    if "page" not in request.fixturenames:
        yield []
        return
    page = request.getfixturevalue("page")
    violations = watch_csp(page.context)
    yield violations
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)
