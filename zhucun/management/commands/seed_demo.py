"""``manage.py seed_demo``: a small realistic province with one account per role. Idempotent. The shell's
(decision 0100): it composes every capability's demo data, which the organization may not import."""

import io
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Role, User
from accounts.services import account_create
from cadres.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_roster_bytes
from cadres.models import Cadre, Unit
from cadres.services import roster_import


class Command(BaseCommand):
    help = "Load the demo province (5 counties, 30 villages and teams, 90 cadres) and demo accounts."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        province_user = User.objects.filter(username="sheng").first()
        if province_user is None:
            province_user = account_create(
                actor=None, username="sheng", password=DEMO_PASSWORD, role=Role.PROVINCE_ORG, scope="13"
            )
        result = roster_import(actor=province_user, upload=io.BytesIO(demo_roster_bytes()))
        for username, role, scope, _ in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            if role == Role.UNIT:
                scope = str(Unit.objects.get(name=scope, level="province").pk)
            elif role == Role.CADRE:
                scope = str(Cadre.objects.get(team__village_id=scope, role="first_secretary_leader").pk)
            account_create(actor=None, username=username, password=DEMO_PASSWORD, role=role, scope=scope)
        from attendance.demo import seed_attendance
        from duties.demo import seed_duties
        from funding.demo import seed_funds
        from leave.demo import seed_leave

        signins = seed_attendance()
        requests = seed_leave()
        funded = seed_funds()
        obligations = seed_duties()
        from supervision.demo import seed_supervision

        supervised = seed_supervision()
        from households.demo import seed_households

        households = seed_households()
        from assessment.demo import seed_opinions
        from cadres.demo import seed_party

        transfers = seed_party()
        opinions = seed_opinions()
        self.stdout.write(
            f"demo data loaded: {result.as_dict()}, sign-ins added: {signins}, leave requests: {requests}, "
            f"team accounts funded: {funded}, obligations: {obligations}, supervision: {supervised}, "
            f"households: {households}, party transfers: {transfers}, team opinions: {opinions}"
        )
