"""The home page: the shell composes what each capability says about today (decision 0100). Each number
is read through its capability's selector; nothing is decided here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.roles import ADMIN_ROLES, Role
from zhucun import scoping

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def home(request: HttpRequest) -> HttpResponse:
    from cadres.selectors import home_summary

    if not request.user.is_authenticated:
        return redirect("login")
    if getattr(request.user, "role", "") == Role.CADRE:
        return redirect("attendance-today")  # the cadre's phone: one page for the day (UI.md)
    from django.utils import timezone

    from zhucun import workcalendar

    # Provincial staff keep the holiday table: a missing year is a standing banner (decision 0085).
    missing = workcalendar.years_missing(timezone.localdate()) if scoping.can(request.user, "calendar.manage") else []
    if getattr(request.user, "role", "") in ADMIN_ROLES:
        # The administrators (三员) have no cadres' data to summarize: their home is their menu.
        return render(request, "home_administrator.html", {"missing": missing})
    return render(
        request,
        "home.html",
        {
            "summary": home_summary(user=request.user),
            "today": today_summary(user=request.user),
            "missing": missing,
        },
    )


def today_summary(*, user: User | AnonymousUser) -> dict[str, Any]:
    """What needs the official this morning: leave awaiting their answer, villages with nobody on
    duty today (第五条), absences to confirm. Each capability answers through its own selector."""
    from django.utils import timezone

    from attendance.selectors import coverage_today
    from leave.selectors import inbox

    summary: dict[str, Any] = {"awaiting_me": inbox(user=user).count()}
    if scoping.can(user, "attendance.view_dashboard"):
        coverage = coverage_today(user=user, day=timezone.localdate())
        summary.update(
            villages=coverage.villages,
            uncovered=coverage.uncovered,
            pending_findings=coverage.pending_findings,
            cadres=coverage.cadres,
            signed_in=coverage.signed_in,
        )
    return summary
