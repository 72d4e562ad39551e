"""``manage.py flush`` with the ``flush`` permit of the append-only tables (zhucun/append_only.py).

Emptying the whole database is what the test suite does between transactional tests; without the
permit the triggers would refuse to empty the audit trail and the policy versions. Nothing else in the
application asks for this permit."""

from typing import Any

from django.core.management.commands import flush

from zhucun import append_only


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        with append_only.permit("flush", using=options["database"]):
            super().handle(**options)
