"""``manage.py create_account USERNAME --role ROLE --scope SCOPE --password PASSWORD`` (API.md)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Role
from accounts.services import account_create


class Command(BaseCommand):
    help = "Create an account without prompting (the first provincial account is made this way)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--scope", required=True, help="region code, unit id or cadre id")
        parser.add_argument("--password", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
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
