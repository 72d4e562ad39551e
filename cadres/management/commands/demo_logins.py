"""Print the demo logins (``make run`` shows them before serving, with the address it serves on)."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cadres.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo accounts and their password, and the address `make run` serves on."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="默认 127.0.0.1")
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"), help="默认 8000（make run PORT=…）")

    def handle(self, *args: Any, **options: Any) -> None:
        site = f"http://{options['host']}:{options['port']}"
        self.stdout.write("")
        self.stdout.write(f"驻村干部管理系统 — 演示账号（密码均为 {DEMO_PASSWORD}）")
        for username, role, _, description in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<14} {role:<13} {description}")
        self.stdout.write(f"  {'ganbu2, ganbu3':<14} {'cadre':<13} 龙州镇的两名队员，各有一份待审批的请假")
        self.stdout.write("  ganbu、ganbu2、ganbu3 今天都还没签到：用手机（或浏览器）登录即可一键签到。")
        self.stdout.write(f"  打开 {site}/ 登录；API 文档 {site}/api/docs/")
        self.stdout.write("")
