"""``manage.py apply_profile PRESET --from DATE [--by USERNAME] [--basis TEXT]``: switch the deployment's
regulation numbers to a shipped preset (``hebei_2018``, ``national_2021``) from a date — a new dated
``PolicyProfileVersion``, audited; no code changes (SPEC.md; docs/decisions/0078)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhucun.policy import PRESETS, profile_preset_apply


class Command(BaseCommand):
    help = "从指定日期起采用内置的政策参数模板（hebei_2018、national_2021）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("preset", help=f"模板名：{'、'.join(PRESETS)}")
        parser.add_argument("--from", dest="effective_from", help="生效日期 YYYY-MM-DD（必填）")
        parser.add_argument("--by", dest="username", default="", help="操作人的用户名（记入操作记录）")
        parser.add_argument("--basis", default="", help="依据（默认为模板自带的依据）")

    def handle(self, *args: Any, **options: Any) -> None:
        from accounts.models import User

        if not options["effective_from"]:
            raise CommandError("请用 --from YYYY-MM-DD 指定生效日期。")
        try:
            effective_from = dt.date.fromisoformat(options["effective_from"])
        except ValueError:
            raise CommandError("--from 的日期格式应为 YYYY-MM-DD，例如 2027-01-01。") from None
        actor = None
        if options["username"]:
            actor = User.objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"未找到启用中的用户「{options['username']}」。")
        try:
            version = profile_preset_apply(
                actor=actor, preset=options["preset"], effective_from=effective_from, basis=options["basis"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已采用「{version.name}」，自 {version.effective_from} 起生效（版本 {version.pk}）。")
