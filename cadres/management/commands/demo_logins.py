"""Print the demo logins (``make run`` shows them before serving)."""

from typing import Any

from django.core.management.base import BaseCommand

from cadres.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo accounts and their password."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("")
        self.stdout.write(f"驻村干部管理系统 — 演示账号（密码均为 {DEMO_PASSWORD}）")
        for username, role, _, description in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<14} {role:<13} {description}")
        self.stdout.write(f"  {'ganbu2, ganbu3':<14} {'cadre':<13} 龙州镇的两名队员，各有一份待审批的请假")
        self.stdout.write("  打开 http://127.0.0.1:8000/ 登录；API 文档 http://127.0.0.1:8000/api/docs/")
        self.stdout.write("")
