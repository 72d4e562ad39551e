"""Accident insurance (第二十八条): the register, its gaps, the nightly flag."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cadres.models import Cadre
from cadres.selectors import county_codes
from funding import services, tasks
from funding.models import InsuranceGapFlag, InsurancePolicy
from funding.policies import first_uncovered_day
from tests.conftest import api_as
from zhucun import outbox
from zhucun.models import AuditEvent, Notification, OutboxMessage
from zhucun.testing.world import World, make_id_number

D = dt.date


def test_first_uncovered_day_reads_every_day_of_the_term_第二十八条() -> None:
    term = {"term_start": D(2025, 3, 1), "until": D(2026, 12, 30)}
    assert first_uncovered_day(**term, covers=[]) == D(2025, 3, 1)
    full = [(D(2025, 3, 1), D(2026, 2, 28)), (D(2026, 3, 1), D(2027, 2, 28))]
    assert first_uncovered_day(**term, covers=full) is None
    gap = [(D(2025, 3, 1), D(2026, 2, 27)), (D(2026, 3, 1), D(2027, 2, 28))]
    assert first_uncovered_day(**term, covers=gap) == D(2026, 2, 28)
    assert first_uncovered_day(**term, covers=[(D(2025, 3, 2), D(2027, 1, 1))]) == D(2025, 3, 1)
    lapse = [(D(2025, 3, 1), D(2026, 12, 29))]
    assert first_uncovered_day(**term, covers=lapse) == D(2026, 12, 30)


def _register(world: World, *, actor: str = "county", target: str = "A", **extra: Any) -> InsurancePolicy:
    values = {"insurer": "人保财险", "policy_number": "PA2025001", "cover_start": D(2025, 3, 1),
              "cover_end": D(2027, 2, 28), "premium": "120", "paying_level": "county", **extra}  # fmt: skip
    return services.insurance_policy_register(actor=world.personas[actor], cadre=world.leaders[target], **values)


def test_a_policy_is_registered_and_audited_and_a_unit_only_for_its_own_cadres(world: World) -> None:
    policy = _register(world)
    assert AuditEvent.objects.filter(action="funding.insurance_register", object_id=str(policy.pk)).exists()
    _register(world, actor="unit", policy_number="PA2025002")
    with pytest.raises(PermissionDenied):
        _register(world, actor="unit", target="B", policy_number="PB1")
    with pytest.raises(PermissionDenied):
        _register(world, actor="township", policy_number="PT1")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"cover_end": D(2025, 2, 1)}, "cover_end"),
        ({"premium": "-3"}, "premium"),
        ({"paying_level": "village"}, "paying_level"),
        ({"insurer": " "}, "insurer"),
        ({"cover_start": D(1999, 1, 1)}, "cover_start"),
    ],
)
def test_bad_policies_are_refused_naming_the_field(world: World, extra: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _register(world, **extra)
    assert field in refused.value.message_dict
    assert not InsurancePolicy.objects.exists()


def test_the_nightly_job_flags_uncovered_cadres_once_a_month_and_tells_county_and_unit(world: World) -> None:
    _register(world)  # leader A covered; everyone else is not
    today = D(2026, 11, 30)
    flagged = services.insurance_gaps_flag(today=today)
    assert flagged == 7  # 8 cadres in the world, one covered
    assert services.insurance_gaps_flag(today=today) == 0
    assert not InsuranceGapFlag.objects.filter(cadre=world.leaders["A"]).exists()
    assert Notification.objects.filter(recipient=world.personas["county"], title__contains="缺少意外保险").exists()
    assert Notification.objects.filter(recipient=world.personas["unit"], title__contains="缺少意外保险").exists()


# --- one task per county (docs/decisions/0179) -------------------------------------------------------


def _unit_a_cadre_in_bing_county(world: World) -> Cadre:
    """A second cadre of unit A (甲县卫生健康局, the persona ``unit``), stationed in 丙县's 丙村."""
    return Cadre.objects.create(
        name="丙村队员二", gender="male", id_number=make_id_number(800), phone="13900000000", unit=world.units["A"],
        team=world.teams["C"], role="member", term_start=D(2025, 3, 1), term_end=D(2028, 2, 29),
    )  # fmt: skip


def _flags() -> set[tuple[int, str, dt.date, dt.date]]:
    return set(InsuranceGapFlag.objects.values_list("cadre_id", "village_code", "month", "first_gap"))


def _messages_since(pk: int) -> list[tuple[int, str, str]]:
    return sorted(Notification.objects.filter(pk__gt=pk).values_list("recipient_id", "title", "body"))


def _last_notification() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_the_nightly_job_queues_one_task_per_county_and_twice_flags_nothing_more(world: World) -> None:
    _register(world)
    assert tasks.insurance_gaps("2026-11-30") == 3
    messages = OutboxMessage.objects.filter(task="funding.insurance_gaps_county")
    assert sorted(m.args for m in messages) == [[code, "2026-11-30"] for code in ("130102", "130104", "130202")]
    assert not InsuranceGapFlag.objects.exists()  # the county tasks flag, once published
    assert outbox.drain() == 3
    assert InsuranceGapFlag.objects.count() == 7 and not OutboxMessage.objects.exists()
    notified, audited = Notification.objects.count(), AuditEvent.objects.filter(action="funding.insurance_gap").count()
    assert notified > 0 and audited == 7
    assert tasks.insurance_gaps("2026-11-30") == 3
    assert outbox.drain() == 3
    assert InsuranceGapFlag.objects.count() == 7
    assert Notification.objects.count() == notified  # nobody is told twice
    assert AuditEvent.objects.filter(action="funding.insurance_gap").count() == audited


def test_each_county_task_flags_its_own_cadres_and_together_they_do_what_one_run_over_the_country_does(
    world: World,
) -> None:
    _register(world)  # leader A is covered
    extra = _unit_a_cadre_in_bing_county(world)
    today = D(2026, 11, 30)
    start = _last_notification()
    flagged: dict[str, set[str]] = {}
    for code in county_codes():
        before = set(InsuranceGapFlag.objects.values_list("pk", flat=True))
        tasks.insurance_gaps_county(code, today.isoformat())
        flagged[code] = set(InsuranceGapFlag.objects.exclude(pk__in=before).values_list("village_code", flat=True))
    assert flagged == {"130102": {world.village("A"), world.village("B")}, "130104": {world.village("C")},
                       "130202": {world.village("D")}}  # fmt: skip
    assert InsuranceGapFlag.objects.filter(cadre=extra, village_code=world.village("C")).exists()
    by_county, by_county_messages = _flags(), _messages_since(start)
    assert len(by_county) == 8
    # the unit hears of each county where its cadres lack cover, naming it
    unit_titles = sorted(title for recipient, title, _ in by_county_messages if recipient == world.personas["unit"].pk)
    assert unit_titles == ["本单位派驻丙县的 1 名驻村干部缺少意外保险", "本单位派驻甲县的 1 名驻村干部缺少意外保险"]
    # one run over the whole country flags the same cadres and sends the same messages
    InsuranceGapFlag.objects.all().delete()
    start = _last_notification()
    assert services.insurance_gaps_flag(today=today) == 8
    assert _flags() == by_county
    assert _messages_since(start) == by_county_messages


def test_a_county_task_runs_a_fixed_number_of_queries_whatever_the_size_of_the_county(world: World) -> None:
    with CaptureQueriesContext(connection) as small:
        assert services.insurance_gaps_flag(county_code="130102", today=D(2026, 10, 31)) == 4
    for i in range(30):
        Cadre.objects.create(
            name=f"新队员{i}", gender="male", id_number=make_id_number(900 + i), phone="13900000000",
            unit=world.units["B"], team=world.teams["B"], role="member", term_start=D(2025, 3, 1),
            term_end=D(2028, 2, 29),
        )  # fmt: skip
    with CaptureQueriesContext(connection) as large:
        assert services.insurance_gaps_flag(county_code="130102", today=D(2026, 11, 30)) == 34
    assert len(large) == len(small)


def test_a_voided_policy_no_longer_covers(world: World) -> None:
    policy = _register(world)
    response = api_as(world.personas["county"]).post(
        reverse("api:insurance-policy-void", args=[policy.pk]), {"reason": "保单号录错"}, format="json"
    )
    assert response.status_code == 200 and response.json()["voided_reason"] == "保单号录错"
    services.insurance_gaps_flag(today=D(2026, 11, 30))
    assert InsuranceGapFlag.objects.filter(cadre=world.leaders["A"]).exists()


def test_the_api_registers_a_policy_and_refuses_bad_input(world: World) -> None:
    client = api_as(world.personas["county"])
    body = {"cadre": world.leaders["A"].pk, "insurer": "人保财险", "policy_number": "X1", "cover_start": "2025-03-01",
            "cover_end": "2026-02-28", "premium": "120.00", "paying_level": "county"}  # fmt: skip
    assert client.post(reverse("api:insurance-policy-list"), body, format="json").status_code == 201
    bad = client.post(
        reverse("api:insurance-policy-list"), {**body, "policy_number": "X2", "premium": "1e9"}, format="json"
    )
    assert bad.status_code == 400 and "premium" in bad.json()
    assert InsurancePolicy.objects.count() == 1


def test_the_register_page_shows_gaps_and_exports(world: World) -> None:
    _register(world)
    client = Client()
    client.force_login(world.personas["county"])
    page = client.get(reverse("funds-insurance") + "?gaps=1").content.decode()
    assert world.members["A"].name in page and world.leaders["A"].name not in page
    export = client.get(reverse("funds-insurance") + "?export=xlsx")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert any(row[5] == "PA2025001" for row in rows)
