"""Screenshots of the main pages for human review, at desktop and phone width.

Needs a running server with the demo data (`make demo`, then `manage.py runserver`), Debian's
Chromium and a CJK font (see docs on the toolchain). Usage:

    .venv/bin/python scripts/screenshots.py [--base-url http://127.0.0.1:8000] [--out screenshots]

Writes PNG files named ``<viewport>-<user>-<page>.png`` (screenshots/ is git-ignored) and prints each
file with any problem seen on the way: HTTP errors and pages wider than the screen.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from openpyxl import Workbook
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 360, "height": 740}}
DEMO_PASSWORD = "Zhucun@2026"  # noqa: S105 - the published demo password (cadres/demo.py)
DEMO_COUNTY = "130125"  # 行唐县, the scope of the demo county account `xingtang`

# The roster columns (cadres/roster.py COLUMNS), kept literal so this script needs no Django.
COLUMNS = (
    "市", "县", "乡镇", "村", "村代码", "经度", "纬度", "派出单位", "派出单位层级",
    "姓名", "性别", "身份证号", "手机号", "职务", "驻村开始日期",
)  # fmt: skip


def bad_roster() -> bytes:
    """A small roster for 行唐县 with typical mistakes, so the import page shows its error table."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    base = ["石家庄市", "行唐县", "龙州镇", "东庄村", "130125100200", "114.000000", "38.000000", "省财政厅", "省"]
    rows = [
        [*base, "赵一明", "男", "130102198506121230", "13900000001", "队员", "2025-03-01"],  # wrong check digit
        [*base, "钱二平", "女", "130102199003074565", "1390000002", "队员", "2025-03-01"],  # phone too short
        [*base, "孙三立", "男", "130102198801010115", "13900000003", "组员", "2025/13/01"],  # role and date
        # a village outside 行唐县 (灵寿县): not in the county official's scope
        ["石家庄市", "灵寿县", "灵寿镇", "东庄村", "130126100200", "114.1", "38.1", "省财政厅", "省",
         "李四海", "女", "130102197712300028", "13900000004", "队员", "2025-03-01"],
    ]  # fmt: skip
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class Shooter:
    def __init__(self, browser: Browser, base_url: str, out: Path, password: str) -> None:
        self.browser = browser
        self.base_url = base_url.rstrip("/")
        self.out = out
        self.password = password
        self.files: list[Path] = []
        self.problems: list[str] = []

    @contextmanager
    def session(self, viewport: str, username: str | None) -> Iterator[Page]:
        context = self.browser.new_context(
            viewport=VIEWPORTS[viewport],
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            device_scale_factor=1,
            is_mobile=viewport == "phone",
            has_touch=viewport == "phone",
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            if username:
                self.login(page, username)
            yield page
        finally:
            context.close()

    def login(self, page: Page, username: str, password: str | None = None) -> None:
        page.goto(f"{self.base_url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password or self.password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("networkidle")
        if password is None and "/accounts/login/" in page.url:
            raise SystemExit(f"cannot log in as {username}: run `make demo` on the server's database")

    def open(self, page: Page, path: str) -> None:
        response = page.goto(f"{self.base_url}{path}")
        page.wait_for_load_state("networkidle")
        if response is not None and response.status >= 400:
            self.problems.append(f"{path}: HTTP {response.status}")

    def shot(self, page: Page, viewport: str, username: str, name: str) -> None:
        path = self.out / f"{viewport}-{username}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.files.append(path)
        # Compared with the configured width: a phone (is_mobile) zooms out to fit a too-wide page,
        # so window.innerWidth grows with the page and would hide the overflow.
        width = page.evaluate("() => document.documentElement.scrollWidth")
        screen = VIEWPORTS[viewport]["width"]
        if width > screen + 1:
            self.problems.append(f"{path.name}: page is {width} px wide on a {screen} px screen")

    def visit(self, page: Page, viewport: str, username: str, name: str, path: str) -> None:
        self.open(page, path)
        self.shot(page, viewport, username, name)

    def first_link(self, page: Page, list_path: str, testid: str) -> str | None:
        self.open(page, list_path)
        link = page.locator(f"[data-testid={testid}] tbody tr a").first
        return link.get_attribute("href") if link.count() else None

    def run(self, viewport: str, roster: Path) -> None:
        with self.session(viewport, None) as page:
            self.visit(page, viewport, "anonymous", "login", "/accounts/login/")
            self.login(page, "sheng", "wrong-password")
            self.shot(page, viewport, "anonymous", "login-failed")

        with self.session(viewport, "xingtang") as page:  # the county official sees the most pages
            user = "xingtang"
            self.visit(page, viewport, user, "home", "/")
            if viewport == "phone":
                page.get_by_role("button", name="菜单").click()
                self.shot(page, viewport, user, "home-menu")
            self.visit(page, viewport, user, "regions", "/regions/")
            self.visit(page, viewport, user, "region-county", f"/regions/{DEMO_COUNTY}/")
            self.visit(page, viewport, user, "teams", "/teams/")
            self.visit(page, viewport, user, "teams-empty", "/teams/?search=没有这个村")
            team = self.first_link(page, "/teams/", "team-table")
            if team:
                self.visit(page, viewport, user, "team-detail", team)
            self.visit(page, viewport, user, "cadres", "/cadres/")
            self.visit(page, viewport, user, "attendance-dashboard", "/attendance/dashboard/")
            self.visit(page, viewport, user, "leave-inbox", "/leave/inbox/")
            cadre = self.first_link(page, "/cadres/", "cadre-table")
            if cadre:
                self.visit(page, viewport, user, "cadre-detail", cadre)
            self.visit(page, viewport, user, "roster-import", "/roster/import/")
            page.set_input_files("input#id_file", str(roster))
            page.click("[data-testid=import-submit]")
            page.wait_for_load_state("networkidle")
            self.shot(page, viewport, user, "roster-import-errors")

        with self.session(viewport, "sheng") as page:  # province
            self.visit(page, viewport, "sheng", "home", "/")
            self.visit(page, viewport, "sheng", "regions", "/regions/")
            self.visit(page, viewport, "sheng", "region-county", f"/regions/{DEMO_COUNTY}/")
            self.visit(page, viewport, "sheng", "teams", "/teams/")

        with self.session(viewport, "longzhou") as page:  # township
            self.visit(page, viewport, "longzhou", "home", "/")
            self.visit(page, viewport, "longzhou", "regions", "/regions/")
            self.visit(page, viewport, "longzhou", "teams", "/teams/")
            self.visit(page, viewport, "longzhou", "cadres", "/cadres/")
            self.visit(page, viewport, "longzhou", "attendance-dashboard", "/attendance/dashboard/")

        with self.session(viewport, "danwei") as page:  # dispatching unit
            self.visit(page, viewport, "danwei", "home", "/")
            self.visit(page, viewport, "danwei", "teams", "/teams/")
            self.visit(page, viewport, "danwei", "cadres", "/cadres/")

        with self.session(viewport, "ganbu") as page:  # a cadre on the phone
            self.visit(page, viewport, "ganbu", "home", "/")
            self.visit(page, viewport, "ganbu", "cadres", "/cadres/")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--chromium", default=CHROMIUM, help="the Chromium executable (Playwright cannot download)")
    parser.add_argument("--viewport", choices=sorted(VIEWPORTS), action="append", help="default: all")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        roster = Path(tmp) / "花名册-有错.xlsx"
        roster.write_bytes(bad_roster())
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        shooter = Shooter(browser, args.base_url, args.out, args.password)
        try:
            for viewport in args.viewport or list(VIEWPORTS):
                shooter.run(viewport, roster)
        finally:
            browser.close()
    for path in shooter.files:
        print(path)
    for problem in shooter.problems:
        print(f"problem: {problem}", file=sys.stderr)
    print(f"{len(shooter.files)} screenshots in {args.out}/, {len(shooter.problems)} problems", file=sys.stderr)
    return 1 if shooter.problems else 0


if __name__ == "__main__":
    sys.exit(main())
