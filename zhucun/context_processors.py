"""Navigation for the layout: the left menu shows only what the role may do (UI.md "One layout")."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts.roles import ADMIN_ROLES, Role
from zhucun import scoping


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    items: list[dict[str, str]] = [{"label": "首页", "url": reverse("home"), "icon": "house"}]
    # The administrators (三员) see only their own pages: no cadres' data (decision 0048).
    administrator = getattr(user, "role", "") in ADMIN_ROLES
    if scoping.can(user, "region.browse"):
        items.append({"label": "区划与工作队分布", "url": reverse("region-tree"), "icon": "diagram-3"})
    if not administrator:
        items.append({"label": "驻村工作队", "url": reverse("team-list"), "icon": "people"})
        items.append({"label": "驻村干部", "url": reverse("cadre-list"), "icon": "person-badge"})
    # --- attendance (issue 3) ---
    if getattr(user, "role", "") == Role.CADRE:
        items.append({"label": "今日签到", "url": reverse("attendance-today"), "icon": "geo-alt"})
    if scoping.can(user, "attendance.view_dashboard"):
        items.append({"label": "考勤看板", "url": reverse("attendance-dashboard"), "icon": "calendar-check"})
        items.append({"label": "工作日志", "url": reverse("attendance-work-logs"), "icon": "journal-text"})
    # --- leave (issue 4) ---
    if scoping.can(user, "leave.request"):
        items.append({"label": "我的请假", "url": reverse("leave-mine"), "icon": "calendar2-check"})
    if not administrator and (
        getattr(user, "role", "") != Role.CADRE
        or getattr(getattr(user, "cadre", None), "is_leader", False)  # a team leader approves (第十九条2)
    ):
        items.append({"label": "请假审批", "url": reverse("leave-inbox"), "icon": "inbox"})
    if scoping.can(user, "leave.register"):
        items.append({"label": "请假登记", "url": reverse("leave-register"), "icon": "journal-text"})
    # --- assessment and recall (issue 5) ---
    if scoping.can(user, "assessment.grade"):
        items.append({"label": "年度考核", "url": reverse("assessment-overview"), "icon": "clipboard-check"})
    if scoping.can(user, "recall.view"):
        items.append({"label": "召回案件", "url": reverse("assessment-recall-list"), "icon": "person-x"})
    if scoping.can(user, "assessment.accountability"):
        items.append({"label": "追责问责", "url": reverse("assessment-accountability"), "icon": "exclamation-octagon"})
    if scoping.can(user, "assessment.support_opinions") and (
        getattr(user, "role", "") != Role.CADRE or getattr(getattr(user, "cadre", None), "is_leader", False)
    ):  # 第二十五条: the leader gives the team's opinions; departments and units read them
        items.append(
            {"label": "双线考核评价", "url": reverse("assessment-support-opinions"), "icon": "arrow-left-right"}
        )
    if scoping.can(user, "assessment.key_training"):
        items.append({"label": "重点培养对象", "url": reverse("assessment-key-training"), "icon": "star"})
    # --- funds and the term (issue 12) ---
    if scoping.can(user, "funds.overview"):
        items.append({"label": "工作经费", "url": reverse("funds-overview"), "icon": "wallet2"})
    elif (cadre := getattr(user, "cadre", None) if getattr(user, "role", "") == Role.CADRE else None) is not None:
        items.append({"label": "工作经费", "url": reverse("funds-ledger", args=[cadre.team_id]), "icon": "wallet2"})
    # --- households and visits (issue 14, 第六条7–8): the team, the township, the county, and above ---
    if scoping.can(user, "household.overview") or scoping.can(user, "household.visit"):
        items.append({"label": "入户走访", "url": reverse("households-overview"), "icon": "house-door"})
    if scoping.can(user, "training.view"):
        items.append({"label": "教育培训", "url": reverse("training-list"), "icon": "mortarboard"})
    if scoping.can(user, "insurance.register"):
        items.append({"label": "意外保险", "url": reverse("funds-insurance"), "icon": "shield-plus"})
    # --- the duties calendar (issue 13) ---
    if scoping.can(user, "duties.view"):
        items.append({"label": "我的待办", "url": reverse("duties-mine"), "icon": "calendar-event"})
    if scoping.can(user, "duties.compliance"):
        items.append({"label": "履职情况", "url": reverse("duties-compliance"), "icon": "list-check"})
    # --- supervision (issue 13) ---
    if scoping.can(user, "presence.follow"):
        items.append({"label": "随机抽查", "url": reverse("supervision-presence-list"), "icon": "geo"})
    elif scoping.can(user, "presence.answer"):
        items.append({"label": "随机抽查", "url": reverse("supervision-presence-mine"), "icon": "geo"})
    if scoping.can(user, "tasks.overview"):
        items.append({"label": "帮扶任务清单", "url": reverse("supervision-tasks"), "icon": "list-check"})
    elif (cadre := getattr(user, "cadre", None) if getattr(user, "role", "") == Role.CADRE else None) is not None:
        items.append(
            {
                "label": "帮扶任务清单",
                "url": reverse("supervision-team-tasks", args=[cadre.team_id]),
                "icon": "list-check",
            }
        )
    if scoping.can(user, "inspection.view"):
        items.append({"label": "督导检查", "url": reverse("supervision-inspections"), "icon": "search"})
    if scoping.can(user, "burden.view"):
        items.append({"label": "减负监测", "url": reverse("supervision-burden"), "icon": "speedometer2"})
    elif scoping.can(user, "burden.record"):
        items.append({"label": "登记工作要求", "url": reverse("supervision-demand-new"), "icon": "clipboard-plus"})
    if scoping.can(user, "term.view"):
        items.append({"label": "任期调整", "url": reverse("term-adjustment-list"), "icon": "arrow-left-right"})
    if scoping.can(user, "party.transfers"):  # 第十八条
        items.append({"label": "党组织关系转接", "url": reverse("party-transfer-list"), "icon": "flag"})
    if scoping.can(user, "account.view"):
        items.append({"label": "账号管理", "url": reverse("account-list"), "icon": "person-gear"})
    if scoping.can(user, "roster.import"):
        items.append({"label": "花名册导入", "url": reverse("roster-import-page"), "icon": "file-earmark-arrow-up"})
    if scoping.can(user, "calendar.manage"):
        items.append({"label": "节假日与调休", "url": reverse("work-calendar"), "icon": "calendar3"})
    # --- administrators (issue 10 item 12) ---
    if scoping.can(user, "grant.manage"):
        items.append({"label": "交叉检查授权", "url": reverse("grant-list"), "icon": "key"})
    if scoping.can(user, "system.operate"):
        items.append({"label": "系统运行", "url": reverse("system-overview"), "icon": "gear"})
    if scoping.can(user, "delivery.view_status"):
        items.append({"label": "消息推送状态", "url": reverse("delivery-status"), "icon": "send-check"})
    if scoping.can(user, "audit.view"):
        items.append({"label": "操作记录", "url": reverse("audit-list"), "icon": "shield-check"})
    if getattr(user, "role", "") == Role.CADRE:  # 记住本机 and the phone's tokens (decision 0172)
        items.append({"label": "我的登录设备", "url": reverse("my-devices"), "icon": "phone"})
    path = request.path
    matching = [
        item["url"] for item in items if path == item["url"] or (item["url"] != "/" and path.startswith(item["url"]))
    ]
    best = max(matching, key=len, default=None)  # /system/deliveries/ is not also 系统运行 (/system/)
    for item in items:
        item["active"] = "active" if item["url"] == best else ""
    return {
        "nav_items": items,
        "nav_role": getattr(user, "get_role_display", lambda: "")(),
        "nav_unread": scoping.own_notifications(user).filter(read_at__isnull=True).count(),
    }
