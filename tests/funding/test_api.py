"""The funds API contract (API.md "Team funds")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from funding.models import FundAccount, LedgerEntry
from tests.conftest import api_as
from zhucun.models import AuditEvent
from zhucun.testing.world import World


def _allocate(keeper: User, world: World, **extra: object) -> dict[str, object]:
    response = api_as(keeper).post(
        reverse("api:fund-allocation-list"), {"team": world.teams["A"].pk, "year": timezone.localdate().year, **extra},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    return dict(response.json())


def _expense(actor: User, world: World, amount: str, **extra: object) -> object:
    return api_as(actor).post(
        reverse("api:fund-expense-list"),
        {"team": world.teams["A"].pk, "date": timezone.localdate().isoformat(), "category": "office",
         "amount": amount, "description": "打印纸", **extra},
        format="json",
    )  # fmt: skip


def test_an_allocation_without_an_amount_is_the_profiles_80000(world: World, keeper: User) -> None:
    body = _allocate(keeper, world)
    assert body["amount"] == "80000.00" and body["kind"] == "allocation" and body["source_level"] == "county"


def test_an_expense_larger_than_the_balance_is_a_400_naming_the_amount_and_writes_nothing(
    world: World, keeper: User, leader: User
) -> None:
    _allocate(keeper, world, amount="500")
    events = AuditEvent.objects.count()
    response = _expense(leader, world, "500.01")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "余额不足" in response.json()["amount"][0]  # type: ignore[attr-defined]
    assert not LedgerEntry.objects.filter(kind="expense").exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("amount", ["0", "-1", "0.001", "1e3", "NaN", ""])
def test_bad_amounts_are_a_chinese_400(world: World, keeper: User, amount: str) -> None:
    _allocate(keeper, world)
    response = _expense(keeper, world, amount)
    assert response.status_code == 400  # type: ignore[attr-defined]
    message = " ".join(response.json()["amount"])  # type: ignore[attr-defined]
    assert any(word in message for word in ("金额", "元"))


def test_unknown_category_and_future_date_are_400(world: World, keeper: User) -> None:
    _allocate(keeper, world)
    assert _expense(keeper, world, "10", category="banquet").status_code == 400  # type: ignore[attr-defined]
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = _expense(keeper, world, "10", date=tomorrow)
    assert response.status_code == 400 and "日期" in response.json()["date"][0]  # type: ignore[attr-defined]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_entries_are_never_edited_or_deleted_405(world: World, keeper: User, method: str) -> None:
    _allocate(keeper, world)
    entry = _expense(keeper, world, "10").json()  # type: ignore[attr-defined]
    url = reverse("api:fund-expense-detail", args=[entry["id"]])
    response = getattr(api_as(keeper), method)(url, {"amount": "1"}, format="json")
    assert response.status_code == 405
    assert LedgerEntry.objects.get(pk=entry["id"]).amount == Decimal("10.00")


def test_reverse_books_a_reversal_with_its_reason(world: World, keeper: User) -> None:
    _allocate(keeper, world)
    entry = _expense(keeper, world, "10").json()  # type: ignore[attr-defined]
    response = api_as(keeper).post(
        reverse("api:fund-expense-reverse", args=[entry["id"]]), {"reason": "重复登记"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "reversal" and response.json()["reverses"] == entry["id"]
    again = api_as(keeper).post(reverse("api:fund-expense-reverse", args=[entry["id"]]), {"reason": "x"}, format="json")
    assert again.status_code == 409


def test_the_team_summary_carries_the_year_end_balance_into_next_year(world: World, keeper: User) -> None:
    year = timezone.localdate().year
    _allocate(keeper, world, amount="1000")
    _expense(keeper, world, "250")
    this_year = api_as(keeper).get(reverse("api:fund-team", args=[world.teams["A"].pk]) + f"?year={year}").json()
    assert this_year["allocated"] == "1000.00" and this_year["spent"] == "250.00" and this_year["balance"] == "750.00"
    assert this_year["reimbursement_overdue"] is False and this_year["last_reimbursed_on"] is None
    next_year = api_as(keeper).get(reverse("api:fund-team", args=[world.teams["A"].pk]) + f"?year={year + 1}").json()
    assert next_year["carried_in"] == "750.00" and next_year["balance"] == "750.00"


def test_reimbursement_and_overdue_after_run_jobs(world: World, keeper: User) -> None:
    today = timezone.localdate()
    account = FundAccount.objects.create(
        team=world.teams["A"],
        year=today.year,
        village_code=world.village("A"),
        allocated=Decimal(100),
        spent=Decimal(5),
    )
    old = LedgerEntry.objects.create(
        account=account, village_code=world.village("A"), kind="expense", date=today.replace(month=1, day=2),
        amount=Decimal(5), category="postage", description="邮寄",
    )  # fmt: skip
    summary_url = reverse("api:fund-team", args=[world.teams["A"].pk])
    call_command("run_jobs", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert api_as(keeper).get(summary_url).json()["reimbursement_overdue"] is True
    response = api_as(keeper).post(
        reverse("api:fund-reimbursement-list"),
        {"team": world.teams["A"].pk, "date": today.isoformat(), "expenses": [old.pk]},
        format="json",
    )
    assert response.status_code == 201 and response.json()["total"] == "5.00"
    summary = api_as(keeper).get(summary_url).json()
    assert summary["reimbursement_overdue"] is False and summary["last_reimbursed_on"] == today.isoformat()


def test_a_receipt_uploaded_with_the_expense_is_listed_and_downloads_as_an_attachment(
    world: World, keeper: User, leader: User
) -> None:
    from tests.zhucun.test_documents import jpeg_with_gps

    _allocate(keeper, world)
    upload = jpeg_with_gps()
    response = api_as(leader).post(
        reverse("api:fund-expense-list"),
        {"team": world.teams["A"].pk, "date": timezone.localdate().isoformat(), "category": "meals",
         "amount": "35", "description": "伙食", "receipt": upload},
        format="multipart",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    receipts = response.json()["receipts"]
    assert len(receipts) == 1 and receipts[0]["kind"] == "image"
    from django.test import Client

    client = Client()
    client.force_login(keeper)
    download = client.get(receipts[0]["url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff" and "sandbox" in download["Content-Security-Policy"]
