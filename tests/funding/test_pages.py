"""Funds pages: the county's overview and ledger, the leader's phone form (issue 12)."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from funding import services
from funding.models import LedgerEntry
from tests.zhucun.test_documents import jpeg_with_gps
from zhucun.testing.world import World
from zhucun.testing.xlsx import table_rows


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fund(world: World, keeper: User) -> None:
    today = timezone.localdate()
    services.allocation_create(actor=keeper, team=world.teams["A"], year=today.year, amount=Decimal(80000))
    services.expense_create(actor=keeper, team=world.teams["A"], day=today, category="meals", amount="1200",
                            description="十一月伙食补助")  # fmt: skip


def test_the_county_overview_lists_its_teams_with_balances_and_the_category_chart(world: World, keeper: User) -> None:
    _fund(world, keeper)
    page = _client(keeper).get(reverse("funds-overview")).content.decode()
    assert "甲县 驻村工作经费" in page
    assert reverse("funds-ledger", args=[world.teams["A"].pk]) in page
    assert "78,800.00" in page  # 80,000 − 1,200
    data = re.search(r'id="funds-category-data" type="application/json">(.*?)</script>', page)
    assert data is not None
    chart = json.loads(data.group(1))
    assert chart == {"labels": ["伙食补助"], "values": [1200.0]}


def test_the_city_overview_is_one_row_per_county_with_drill_down(world: World, keeper: User) -> None:
    _fund(world, keeper)
    page = _client(world.personas["city"]).get(reverse("funds-overview")).content.decode()
    assert reverse("funds-overview-region", args=["130102"]) in page
    assert "78,800.00" in page


def test_the_keeper_sees_the_ledger_with_its_forms_and_the_leader_sees_the_booking_button(
    world: World, keeper: User, leader: User
) -> None:
    _fund(world, keeper)
    url = reverse("funds-ledger", args=[world.teams["A"].pk])
    as_keeper = _client(keeper).get(url).content.decode()
    assert 'data-testid="allocate-form"' in as_keeper and "十一月伙食补助" in as_keeper and "冲销" in as_keeper
    as_leader = _client(leader).get(url).content.decode()
    assert 'data-testid="book-expense"' in as_leader and 'data-testid="allocate-form"' not in as_leader


def test_the_leader_books_an_expense_with_a_receipt_photo_from_the_phone(
    world: World, keeper: User, leader: User
) -> None:
    _fund(world, keeper)
    response = _client(leader).post(
        reverse("funds-expense-new", args=[world.teams["A"].pk]),
        {"date": timezone.localdate().isoformat(), "category": "office", "amount": "88.5", "description": "墨盒",
         "receipt": jpeg_with_gps()},
    )  # fmt: skip
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(description="墨盒")
    assert entry.amount == Decimal("88.50") and entry.receipts.count() == 1


def test_a_bad_expense_shows_the_chinese_error_next_to_the_field_and_writes_nothing(
    world: World, keeper: User, leader: User
) -> None:
    _fund(world, keeper)
    response = _client(leader).post(
        reverse("funds-expense-new", args=[world.teams["A"].pk]),
        {"date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(), "category": "office",
         "amount": "1.005", "description": "墨盒"},
    )  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "金额最多精确到分" in page and "is-invalid" in page
    assert not LedgerEntry.objects.filter(description="墨盒").exists()


def test_the_keeper_allocates_and_names_the_responsible_person_on_the_ledger(world: World, keeper: User) -> None:
    url = reverse("funds-ledger", args=[world.teams["A"].pk])
    client = _client(keeper)
    assert client.post(url, {"action": "allocate", "alloc-amount": ""}).status_code == 302
    assert client.post(url, {"action": "responsible", "resp-responsible_name": "李会计",
                             "resp-responsible_phone": "13912345678"}).status_code == 302  # fmt: skip
    page = client.get(url).content.decode()
    assert "80,000.00" in page and "李会计" in page


def test_ledger_and_overview_export_to_formula_safe_xlsx(world: World, keeper: User) -> None:
    import io

    from openpyxl import load_workbook

    _fund(world, keeper)
    services.expense_create(actor=keeper, team=world.teams["A"], day=timezone.localdate(), category="office",
                            amount="1", description="=HYPERLINK(\"http://x\")")  # fmt: skip
    client = _client(keeper)
    ledger = client.get(reverse("funds-ledger", args=[world.teams["A"].pk]) + "?export=xlsx")
    assert ledger.status_code == 200 and ledger["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(ledger.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert any(cell.value.startswith("=HYPERLINK") and cell.data_type == "s" for cell in cells)
    assert "十一月伙食补助" in {cell.value for cell in cells}
    values = list(sheet.iter_rows(values_only=True))
    assert any(row[4] == -1200 for row in values)  # expenses take money out
    overview = client.get(reverse("funds-overview") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(overview.content)).active
    assert sheet["A1"].value == f"甲县{timezone.localdate().year}年驻村工作经费"
    assert table_rows(sheet)[-1][0] == "合计"


def test_the_county_ledger_exports_every_teams_entries_with_their_signs(world: World, keeper: User) -> None:
    import io

    from openpyxl import load_workbook

    _fund(world, keeper)
    services.allocation_create(actor=keeper, team=world.teams["B"], year=timezone.localdate().year, amount=Decimal(5))
    expense = LedgerEntry.objects.get(description="十一月伙食补助")
    services.entry_reverse(actor=keeper, entry=expense, reason="重复")
    response = _client(keeper).get(reverse("funds-overview") + "?export=ledger")
    rows = table_rows(load_workbook(io.BytesIO(response.content)).active)
    assert sorted((row[0], row[2], row[5]) for row in rows) == sorted(
        [("甲村", "拨入", 80000), ("甲村", "支出", -1200), ("甲村", "冲销", 1200), ("乙村", "拨入", 5)]
    )


def test_every_funds_download_is_audited_with_its_rows(world: World, keeper: User) -> None:
    from zhucun.models import AuditEvent

    _fund(world, keeper)
    client = _client(keeper)
    ledger = reverse("funds-ledger", args=[world.teams["A"].pk])
    for url, kind in (
        (reverse("funds-overview") + "?export=xlsx", "funding.fundaccount"),
        (reverse("funds-overview") + "?export=ledger", "funding.ledgerentry"),
        (ledger + "?export=xlsx", "funding.ledgerentry"),
        (reverse("funds-insurance") + "?export=xlsx", "funding.insurancepolicy"),
    ):
        before = AuditEvent.objects.count()
        assert client.get(url).status_code == 200
        event = AuditEvent.objects.latest("id")
        assert AuditEvent.objects.count() == before + 1
        assert (event.action, event.object_type, event.actor) == ("export.xlsx", kind, keeper)
        assert event.after is not None and "rows" in event.after
