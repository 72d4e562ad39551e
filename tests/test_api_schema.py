"""Every API operation against its OpenAPI schema, as a province and as a township account (issue 10
item 15, decision 0065): a bounded, reproducible schemathesis run finds no server error and no answer
the schema does not document (status code, content type, body).

The schema is the one the app serves at ``/api/schema/``, and requests go to the app in-process (WSGI),
inside the test's transaction: each example runs in a savepoint that is rolled back, so writes do not
leak from one example into the next. The world has an object of every kind for each target (A–D);
half the time an id in a path, a body or a filter is drawn from those objects (the rest of the time it
is whatever the schema allows), so the run reaches the views' real work and not only their 404.

Nothing is excluded: uploads (roster, receipts, photos, attachments) are sent as the multipart bodies
the schema describes. Bounded for ``make test``: no coverage phase, 5 examples per operation and
persona, derandomized. A deeper run, e.g. before a release (minutes, not for CI)::

    ZHUCUN_API_FUZZ_EXAMPLES=50 ZHUCUN_API_FUZZ_COVERAGE=1 \
    ZHUCUN_API_FUZZ_PERSONAS=province,city,county,township,unit,cadre pytest tests/test_api_schema.py
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import User
from accounts.services import token_issue
from assessment.models import RecallCase, SupportOpinion
from attendance.models import AbsenceFinding, WorkLog
from cadres.models import Cadre, PartySecretaryAppointment, PartyTransfer, Region, Team, TermAdjustment, Unit
from duties.models import Obligation
from funding.models import InsurancePolicy, LedgerEntry, Reimbursement
from households.models import Household, Visit
from leave.models import LeaveRequest
from supervision.models import AnnualTask, PresenceCheck
from tests.matrix import assessment as assessment_matrix
from tests.matrix import attendance as attendance_matrix
from tests.matrix import duties as duties_matrix
from tests.matrix import funding as funding_matrix
from tests.matrix import households as households_matrix
from tests.matrix import leave as leave_matrix
from tests.matrix import opinions as opinions_matrix
from tests.matrix import party as party_matrix
from tests.matrix import supervision as supervision_matrix
from tests.matrix import terms as terms_matrix
from tests.matrix import training as training_matrix
from training.models import TrainingEvent
from zhucun.models import AuditEvent
from zhucun.testing.world import TARGETS, World, build_world

EXAMPLES = int(os.environ.get("ZHUCUN_API_FUZZ_EXAMPLES", "5"))
PERSONAS = os.environ.get("ZHUCUN_API_FUZZ_PERSONAS", "province,township").split(",")
#: A fixed seed; no coverage phase unless asked (its boundary cases run to thousands of requests).
COVERAGE = bool(os.environ.get("ZHUCUN_API_FUZZ_COVERAGE"))

APP = get_wsgi_application()
CONFIG = schemathesis.Config.from_dict({"seed": 2026, "phases": {"coverage": {"enabled": COVERAGE}}})
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", APP, config=CONFIG)

#: Each test runs in a savepoint of the module's transaction (``shared``).
pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def _requests_keep_the_test_transaction() -> Iterator[None]:
    """Django closes the connection at the start and end of a WSGI request when it is not in autocommit
    (as inside the test's transaction); the test client disconnects this handler too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _populate(world: World) -> None:
    """For every target: an absence finding, a work log, a sign-in, pending and approved leave, a recall
    case, a funds account with entries and a reimbursement, an insurance policy, a term adjustment, the
    unit's and the township's obligations (open, overdue, fulfilled with a report and evidence), a
    pending presence check, an annual task, a demand, a household with a visit, a training event with
    its attendee — the matrix's own set-ups."""
    for target in TARGETS:
        attendance_matrix._finding(world, target)
        attendance_matrix._log(world, target)
        attendance_matrix._signin(world, target)
        leave_matrix._leader_request(world, target)
        leave_matrix._member_request(world, target)
        leave_matrix._approved_future_leader_request(world, target)
        assessment_matrix._case(world, target)
        funding_matrix._reimbursed(world, target)
        funding_matrix._policy(world, target)
        terms_matrix._file(world, target)
        duties_matrix._setup(world, target)
        duties_matrix._township_obligation(world, target)
        supervision_matrix._check(world, target)
        supervision_matrix._task(world, target)
        supervision_matrix._demand(world, target)
        households_matrix._setup_visit(world, target)
        training_matrix._setup(world, target)
        party_matrix._transfer(world, target)
        party_matrix._proposal(world, target)
        opinions_matrix._opinion(world, target)


def _ids(model: Any, **filters: Any) -> list[Any]:
    return list(model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True))


def _real_values() -> dict[str, list[Any]]:
    """What a path parameter (by the path's resource) or a body/query field (by its name) may name."""
    cadres, teams = _ids(Cadre), _ids(Team)
    year = timezone.localdate().year
    return {
        # path resources
        "absence-findings": _ids(AbsenceFinding),
        "accounts": _ids(User),
        "assessments": cadres + teams + _ids(Unit),
        "audit-events": _ids(AuditEvent),
        "cadres": cadres,
        "duties": _ids(Obligation),
        "funds/allocations": _ids(LedgerEntry, kind=LedgerEntry.Kind.ALLOCATION),
        "funds/expenses": _ids(LedgerEntry, kind=LedgerEntry.Kind.EXPENSE),
        "funds/reimbursements": _ids(Reimbursement),
        "funds/teams": teams,
        "households": _ids(Household),
        "insurance-policies": _ids(InsurancePolicy),
        "leave-requests": _ids(LeaveRequest),
        "presence-checks": _ids(PresenceCheck),
        "recall-cases": _ids(RecallCase),
        "regions": _ids(Region),
        "tasks": _ids(AnnualTask),
        "teams": teams,
        "term-adjustments": _ids(TermAdjustment),
        "party-transfers": _ids(PartyTransfer),
        "party-secretary-appointments": _ids(PartySecretaryAppointment),
        "support-opinions": _ids(SupportOpinion),
        "training-events": _ids(TrainingEvent),
        "visits": _ids(Visit),
        "work-logs": _ids(WorkLog),
        # fields of bodies and filters
        "field:cadre": cadres,
        "field:cadre_id": cadres,
        "field:cadres": [[pk] for pk in cadres],
        "field:household": _ids(Household),
        "field:team": teams,
        "field:region": _ids(Region),
        "field:village": _ids(Region, level=Region.Level.VILLAGE),
        "field:year": [year, year - 1],
        "field:expenses": [[pk] for pk in _ids(LedgerEntry, kind=LedgerEntry.Kind.EXPENSE)],
    }


def _resource(path: str) -> str:
    """``/api/v1/funds/allocations/{id}/reverse/`` → ``funds/allocations``."""
    return path.removeprefix("/api/v1/").split("/{", 1)[0].strip("/")


def _steer(case: schemathesis.Case[Any], data: st.DataObject, real: dict[str, list[Any]]) -> None:
    """Half the time, replace an id the schema allows by one of a real object."""
    path_parameters = case.path_parameters or {}
    for name in path_parameters:
        if name == "year":
            values = real["field:year"]
        elif name == "subject_type":
            continue  # an enum: every value is real
        else:
            values = real[_resource(case.operation.path)]
        if data.draw(st.booleans()):
            path_parameters[name] = data.draw(st.sampled_from(values))
    for container in (case.body, case.query):
        if not isinstance(container, dict):
            continue
        for name in list(container):
            choices = real.get(f"field:{name}")
            if choices and data.draw(st.booleans()):
                container[name] = data.draw(st.sampled_from(choices))


@dataclasses.dataclass
class Shared:
    """The world of the whole module: a token per persona and the real values to steer by."""

    headers: dict[str, dict[str, str]]
    real: dict[str, list[Any]]


@pytest.fixture(scope="module")
def shared(django_db_setup: None, django_db_blocker: Any) -> Iterator[Shared]:
    """One world for the module, built in a transaction that is rolled back at its end (building it
    for each of the 140 operation × persona tests cost as much as the requests)."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        _populate(world)
        tokens = {persona: token_issue(user=world.personas[persona], device="schemathesis") for persona in PERSONAS}
        yield Shared({persona: {"Authorization": f"Token {key}"} for persona, key in tokens.items()}, _real_values())
        transaction.set_rollback(True)


@pytest.fixture(params=PERSONAS)
def persona(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.usefixtures("_requests_keep_the_test_transaction")
@schema.given(data=st.data())
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_documented(
    case: schemathesis.Case[Any], data: st.DataObject, persona: str, shared: Shared
) -> None:
    _steer(case, data, shared.real)
    with transaction.atomic():  # a savepoint per example: nothing one example writes is seen by the next
        response = case.call_and_validate(headers=shared.headers[persona], checks=CHECKS)
        # Documented, but never right here: the token outlives every example (a logout is rolled back).
        assert response.status_code != 401, "the caller's token was lost: examples are not isolated"
        transaction.set_rollback(True)


def test_every_path_resource_has_real_objects_to_name(shared: Shared) -> None:
    """A new route with a path parameter gets real objects in ``_real_values`` (else the run above
    would only ever see its 404)."""
    resources = {
        _resource(operation.path)
        for result in schema.get_all_operations()
        for operation in [result.ok()]  # type: ignore[union-attr]  # an invalid schema fails the run
        if "{" in operation.path
    }
    assert resources, "the schema lists no operation with a path parameter"
    for resource in sorted(resources):
        assert shared.real.get(resource), f"{resource}: no object in the world to name"
