"""The leave pages: the county inbox (UI.md headline page) with its countdown, side panel, in-place
decisions and bulk approval; the cadre's form and "my requests"; the register export."""

from __future__ import annotations

import datetime as dt
import io

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from leave.models import LeaveRequest
from leave.views import countdown
from tests.leave.factories import leave_request
from zhucun.testing.world import World

HTMX = {"HX-Request": "true"}


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_countdown_is_green_over_two_hours_amber_under_and_red_overdue() -> None:
    now = timezone.now()
    assert countdown(now + dt.timedelta(hours=3), now) == {"tone": "ok", "text": "剩 3小时00分"}
    assert countdown(now + dt.timedelta(minutes=90), now) == {"tone": "soon", "text": "剩 1小时30分"}
    assert countdown(now + dt.timedelta(minutes=20), now)["text"] == "剩 20分钟"
    assert countdown(now - dt.timedelta(minutes=25), now) == {"tone": "overdue", "text": "已超时 25分钟"}


def test_the_county_inbox_lists_requests_by_deadline_with_countdowns(world: World) -> None:
    late = leave_request(world.members["A"], days=4)
    overdue = leave_request(world.members["B"], days=4, received_at=timezone.now() - dt.timedelta(days=3))
    page = client_for(world.personas["county"]).get(reverse("leave-inbox")).content.decode()
    assert page.index(f'data-leave-id="{overdue.pk}"') < page.index(f'data-leave-id="{late.pk}"')
    assert "zc-countdown-overdue" in page
    assert "已超时" in page
    assert "按时答复率" in page  # county and above see the on-time rate


def test_the_side_panel_shows_everything_a_decision_needs(world: World) -> None:
    leave_request(world.members["A"], start=dt.date(2026, 11, 2), days=2, status="approved")
    request = leave_request(world.members["A"], days=4, reason="孩子高考")
    panel = client_for(world.personas["county"]).get(reverse("leave-detail", args=[request.pk]), headers=HTMX)
    html = panel.content.decode()
    assert "<html" not in html  # a fragment for the panel
    for text in (
        world.members["A"].name,
        "甲村",
        "甲一镇",
        "孩子高考",
        "事假",
        "县驻村工作办公室",
        "本月概况",
        "批准",
        "驳回",
    ):
        assert text in html, text


def test_approve_in_place_removes_the_row_and_keeps_the_page(world: World) -> None:
    request = leave_request(world.members["A"], days=4)
    response = client_for(world.personas["county"]).post(
        reverse("leave-decide", args=[request.pk]), {"decision": "approve", "comment": "同意"}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已批准" in html
    assert f'id="row-{request.pk}" hx-swap-oob="delete"' in html
    request.refresh_from_db()
    assert request.status == "approved"


def test_reject_without_reason_shows_the_error_in_the_panel_and_changes_nothing(world: World) -> None:
    request = leave_request(world.members["A"], days=4)
    response = client_for(world.personas["county"]).post(
        reverse("leave-decide", args=[request.pk]), {"decision": "reject", "comment": ""}, headers=HTMX
    )
    assert "驳回时请填写理由" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "pending"


def test_a_late_second_decision_shows_who_won(world: World) -> None:
    request = leave_request(world.members["A"], days=4)
    county = client_for(world.personas["county"])
    county.post(reverse("leave-decide", args=[request.pk]), {"decision": "approve"}, headers=HTMX)
    again = county.post(
        reverse("leave-decide", args=[request.pk]), {"decision": "reject", "comment": "否"}, headers=HTMX
    )
    assert "已由他人处理" in again.content.decode()


def test_bulk_approve_approves_the_ticked_and_reports_the_rest(world: World) -> None:
    first = leave_request(world.members["A"], days=4)
    second = leave_request(world.members["B"], days=4)
    elsewhere = leave_request(world.members["C"], days=4)
    response = client_for(world.personas["county"]).post(
        reverse("leave-bulk-approve"), {"ids": [first.pk, second.pk, elsewhere.pk]}, follow=True
    )
    html = response.content.decode()
    assert "已批准 2 份" in html
    assert str(elsewhere.pk) in html
    assert set(LeaveRequest.objects.filter(status="approved").values_list("pk", flat=True)) == {first.pk, second.pk}


def test_a_cadre_requests_leave_on_the_phone_form_and_sees_it_in_my_requests(member_a: User) -> None:
    client = client_for(member_a)
    start = timezone.localdate() + dt.timedelta(days=2)
    response = client.post(
        reverse("leave-new"),
        {"kind": "sick", "start": start, "start_half": "am", "end": start, "end_half": "am", "reason": "看病"},
        follow=True,
    )
    assert f"已提交请假申请（{start.month}月{start.day}日 上午（0.5 天））" in response.content.decode()
    mine = client.get(reverse("leave-mine")).content.decode()
    assert "病假 · 0.5 天" in mine
    assert "撤回" in mine


def test_the_form_shows_the_services_errors_next_to_the_field(member_a: User) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client_for(member_a).post(
        reverse("leave-new"),
        {"kind": "personal", "start": yesterday, "start_half": "am", "end": yesterday, "end_half": "pm", "reason": "x"},
    )
    assert response.status_code == 200
    assert 'data-testid="error-start"' in response.content.decode()
    assert LeaveRequest.objects.count() == 0


def test_the_register_exports_the_period_as_a_safe_xlsx(world: World) -> None:
    leave_request(world.members["A"], start=timezone.localdate(), days=2, reason='=HYPERLINK("x")')
    response = client_for(world.personas["county"]).get(reverse("leave-register") + "?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("县", "乡镇", "村", "姓名")
    assert rows[2][:3] == ("甲县", "甲一镇", "甲村")
    assert rows[2][10] == '=HYPERLINK("x")'
    cell = sheet.cell(row=3, column=11)
    assert cell.data_type == "s"


def test_the_navigation_offers_leave_by_role(world: World, member_a: User) -> None:
    county = client_for(world.personas["county"]).get(reverse("leave-inbox")).content.decode()
    assert "请假审批" in county and "请假登记" in county and "我的请假" not in county
    member = client_for(member_a).get(reverse("leave-mine")).content.decode()
    assert "我的请假" in member and "请假审批" not in member
    leader = client_for(world.personas["cadre"]).get(reverse("leave-mine")).content.decode()
    assert "我的请假" in leader and "请假审批" in leader


def test_the_form_starts_on_today_written_as_the_date_input_reads_it(member_a: User) -> None:
    """Issue 15 item 9: ``value="2026/11/30"`` is rejected by ``<input type="date">``."""
    html = client_for(member_a).get(reverse("leave-new")).content.decode()
    today = timezone.localdate().isoformat()
    assert f'type="date" name="start" value="{today}"' in html
    assert f'type="date" name="end" value="{today}"' in html
    assert 'hx-get="/leave/new/preview/"' in html


def _preview(user: User, start: dt.date, end: dt.date, *, start_half: str = "am", end_half: str = "pm") -> str:
    query = {"kind": "personal", "start": str(start), "start_half": start_half, "end": str(end), "end_half": end_half}
    return client_for(user).get(reverse("leave-preview"), query, headers=HTMX).content.decode()


def test_the_form_previews_the_days_and_the_approvers_the_routing_decides_第十九条(
    world: World, member_a: User
) -> None:
    start = timezone.localdate() + dt.timedelta(days=2)
    half = _preview(member_a, start, start, start_half="pm")
    assert "0.5 天" in half
    assert f"驻村工作队队长 {world.leaders['A'].name}" in half  # 1天以内由队长批准
    three_and_a_half = _preview(member_a, start, start + dt.timedelta(days=3), end_half="am")
    assert "3.5 天" in three_and_a_half
    assert "甲县驻村工作办公室" in three_and_a_half  # 3天以上由县驻村工作办公室批准
    assert LeaveRequest.objects.count() == 0  # a preview writes nothing


def test_the_preview_says_what_is_wrong_with_the_dates(member_a: User) -> None:
    start = timezone.localdate() + dt.timedelta(days=2)
    html = _preview(member_a, start, start - dt.timedelta(days=1))
    assert "结束时间不能早于开始时间" in html
    assert "preview-ready" not in html
