"""Steps every browser test takes: logging in and out through the real login page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from zhucun.testing.world import PASSWORD


def login(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)  # officials land home, cadres on their day
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def logout(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/")  # a page with the top bar, whatever the test looked at last
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
