"""Navigation for the layout: the left menu shows only what the role may do (UI.md "One layout")."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from zhucun import scoping


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    items: list[dict[str, str]] = [{"label": "首页", "url": reverse("home"), "icon": "house"}]
    if scoping.can(user, "region.browse"):
        items.append({"label": "区划与工作队分布", "url": reverse("region-tree"), "icon": "diagram-3"})
    items.append({"label": "驻村工作队", "url": reverse("team-list"), "icon": "people"})
    items.append({"label": "驻村干部", "url": reverse("cadre-list"), "icon": "person-badge"})
    # --- attendance (issue 3) ---
    # --- leave (issue 4) ---
    # --- assessment and recall (issue 5) ---
    if scoping.can(user, "roster.import"):
        items.append({"label": "花名册导入", "url": reverse("roster-import-page"), "icon": "file-earmark-arrow-up"})
    path = request.path
    for item in items:
        item["active"] = (
            "active" if (path == item["url"] or (item["url"] != "/" and path.startswith(item["url"]))) else ""
        )
    return {"nav_items": items, "nav_role": getattr(user, "get_role_display", lambda: "")()}
