"""``manage.py create_account USERNAME --role ROLE --scope SCOPE --password PASSWORD [--operator NAME]``
(API.md). There is no logged-in actor on the command line, so the audit event names the operator: the
``--operator`` given, or the operating-system account running the command (issue 10 item 7)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Role
from accounts.services import account_create
from zhucun.audit import operator_context, os_operator


class Command(BaseCommand):
    help = "Create an account without prompting (the first provincial account is made this way)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--scope", required=True, help="region code, unit id or cadre id")
        parser.add_argument("--password", required=True)
        parser.add_argument("--operator", default="", help="who runs the command (default: the OS user)")

    def handle(self, *args: Any, **options: Any) -> None:
        operator = options["operator"].strip() or os_operator()
        try:
            with operator_context(f"{operator} (create_account)"):
                user = account_create(
                    actor=None,
                    username=options["username"],
                    password=options["password"],
                    role=options["role"],
                    scope=options["scope"],
                )
        except ValidationError as exc:
            messages = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
            raise CommandError(messages) from None
        self.stdout.write(f"created {user.username} ({user.role} {user.scope_code})")
