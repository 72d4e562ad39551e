"""What the three administrators (三员, issue 10 item 12, decision 0048) get on every route of the
matrix: tests/test_admin_matrix.py runs each route for them (targets A and C: inside and outside
the security administrator's county) and fails for a route without an answer here.

The personas (zhucun/testing/world.py ``add_administrators``): a system administrator of the
province, a security administrator of 甲县 (accounts of targets A and B) and an audit administrator
of 石家庄市. None of them sees any of the cadres' data: business routes are 403 (role) or 404 (scope:
their scope covers no cadres' table), and the lists that answer 200 come back without the target."""

from __future__ import annotations

from collections.abc import Callable

ADMIN_TARGETS = ("A", "C")

#: What the security administrator's scope holds among the targets' township accounts.
SECURITY_VISIBLE = {"A"}

#: Routes whose answer is the same for the three administrators and every target.
SAME: dict[int, list[str]] = {
    # The shell, the public board, one's own password and logout; lists that come back empty.
    200: [
        "notifications", "notification-settings", "api:notification-preferences", "api:notification-preferences(put)",
        "home", "healthz", "schema", "api-docs", "api:auth-token", "password-change",
        "my-devices", "password-reset",
        "public-village", "public-poster",
        "team-list", "cadre-list", "leave-inbox", "api:region-list", "api:team-list", "api:cadre-list",
        "api:signin-list(read)", "api:absence-finding-list(read)", "api:whereabouts-list(read)",
        "api:work-log-list(read)", "api:leave-request-list(read)", "api:leave-request-list(awaiting_me)",
    ],
    204: ["api:auth-logout"],
    302: ["login", "logout", "admin", "attendance-home", "notification-settings(post)", "my-device-revoke",
          "password-reset-confirm"],
    400: ["api:absence-finding-list"],  # the cadre named is not visible: like any unknown reference
    403: [
        "region-tree", "roster-import-page", "roster-template-download", "api:roster-import-template",
        "api:roster-import", "attendance-work-log-post", "attendance-work-logs", "api:signin-list",
        "api:work-log-list", "api:leave-request-list", "leave-bulk-approve", "leave-mine", "leave-new",
        "leave-new(post)", "leave-preview", "leave-register", "assessment-overview", "assessment-grid",
        "assessment-grid-check",
        "assessment-finalize", "assessment-export", "assessment-recall-list", "assessment-recall-export",
        "assessment-recall-new", "assessment-accountability", "assessment-accountability-export",
        "assessment-key-training", "api:assessment-export", "api:recall-case-list", "api:recall-case-list(open)",
        "cadre-export-id-numbers",
        "funds-overview", "funds-insurance", "term-adjustment-list", "api:fund-allocation-list(read)",
        "api:fund-expense-list(read)", "api:fund-reimbursement-list(read)", "api:term-adjustment-list(read)",
        # the duties calendar (issue 13): no administrator is a body, none has the compliance view
        "duties-mine", "duties-compliance", "api:duty-list",
        # supervision (issue 13): the roles that issue, follow and answer checks
        "supervision-presence-list", "supervision-presence-issue", "supervision-presence-mine",
        "api:presence-check-list(read)", "supervision-tasks", "api:task-list(read)", "supervision-inspections",
        "supervision-inspection-new", "supervision-burden", "supervision-demand-new", "supervision-demand-new(post)",
        "api:demand-list(read)",
        # households and visits (issue 14): reading them is a role's, none of the administrators'
        "api:household-list(read)", "api:household-list(due)", "api:visit-list(read)", "households-visit-new",
        "households-import", "households-import-template", "api:household-import-template", "households-overview",
        # training (issue 14): the roles' pages and lists
        "training-list", "training-untrained", "api:training-event-list", "api:training-event-list(read)",
        "training-list(post)", "training-untrained(export)",
    ],
    404: [
        "region-detail", "team-detail", "cadre-detail", "api:region-detail", "api:team-detail", "api:cadre-detail",
        "attendance-today", "attendance-whereabouts-post", "attendance-dashboard", "attendance-dashboard-region",
        "attendance-register", "attendance-finding-decide", "attendance-work-log-check", "api:attendance-dashboard",
        "api:attendance-export", "api:absence-finding-detail", "api:absence-finding-confirm",
        "api:absence-finding-dismiss", "api:whereabouts-list", "api:work-log-detail", "api:work-log-check",
        "api:leave-request-detail", "api:leave-request-approve", "api:leave-request-reject",
        "api:leave-request-withdraw", "api:leave-request-report-back", "leave-detail", "leave-decide",
        "leave-bulk-reject",
        "leave-withdraw", "leave-report-back", "assessment-export-job", "assessment-export-download",
        "assessment-recall-detail", "assessment-recall-consult", "assessment-recall-decide", "assessment-cadre-file",
        "assessment-key-training-add", "api:assessment-grade", "api:assessment-grade(put)",
        "api:assessment-opinions", "api:assessment-opinions(read)", "api:recall-case-detail",
        "api:recall-case-consult", "api:recall-case-decide", "cadre-reveal-id-number", "api:cadre-reveal-id-number",
        "attendance-leave-impact", "leave-cancel", "api:leave-request-cancel", "attendance-cadre",
        # team funds and the term (issue 12): every object is a team's or a cadre's, out of their scope
        "funds-overview-region", "funds-ledger", "funds-ledger(allocate)", "funds-expense-new", "funds-reimburse",
        "funds-entry-reverse", "funds-receipt", "funds-insurance-new", "api:fund-allocation-list",
        "api:fund-allocation-detail", "api:fund-allocation-reverse", "api:fund-expense-list", "api:fund-expense-detail",
        "api:fund-expense-reverse", "api:fund-reimbursement-list", "api:fund-reimbursement-detail", "api:fund-team",
        "api:insurance-policy-list", "api:insurance-policy-detail", "api:insurance-policy-void",
        "term-adjustment-new", "term-adjustment-detail", "term-adjustment-attachment", "cadre-handover",
        "team-dispatch", "api:term-adjustment-list", "api:term-adjustment-detail", "api:term-adjustment-approve",
        "api:term-adjustment-reject",
        # the duties calendar (issue 13): their scope holds no obligation
        "duties-detail", "duties-fulfil", "duties-report", "duties-report(post)", "duties-report-docx",
        "duties-accountability", "duties-accountability(post)", "duties-evidence", "api:duty-detail",
        "api:duty-fulfil", "api:duty-fulfil(township)",
        # supervision (issue 13): every check and cadre lies outside their scope
        "supervision-presence-issue(post)", "supervision-presence-answer", "api:presence-check-list",
        "api:presence-check-detail", "api:presence-check-answer", "supervision-team-tasks", "supervision-task-new",
        "supervision-task-new(optional)", "supervision-task-progress", "api:task-list", "api:task-list(optional)",
        "api:task-detail", "api:task-detail(patch)", "supervision-inspection-detail", "supervision-inspection-grant",
        "supervision-inspection-revoke", "supervision-inspection-result", "api:demand-list",
        # households and visits (issue 14): villages' rows, outside every administrator's scope
        "api:household-list", "api:household-detail", "api:household-detail(patch)", "api:visit-list",
        "api:visit-detail", "api:household-import", "households-region", "households-new",
        "households-region(village)", "households-region(export)",
        "training-event", "api:training-event-detail", "api:training-event-enrol", "training-event(enrol)",
        # the file (第十五条2): a cadre's or a team's, outside every administrator's scope
        "archive-cadre", "archive-cadre-download", "archive-team", "archive-team-download",
    ],
}  # fmt: skip

AdminExpect = Callable[[str, str | None], int]


def only(persona_allowed: str, ok: int, others: int = 403) -> AdminExpect:
    """One administrator's page: ``ok`` for it, ``others`` for the two others."""
    return lambda persona, target: ok if persona == persona_allowed else others


def security_scoped(ok: int, *, outside: int = 404, others: int = 404) -> AdminExpect:
    """An account of the target's township: the security administrator's when in its county (A), out
    of scope otherwise (C); the two other administrators' scope holds no accounts at all (404)."""

    def expect(persona: str, target: str | None) -> int:
        if persona != "security_admin":
            return others
        return ok if target in SECURITY_VISIBLE else outside

    return expect


EXPECT: dict[str, AdminExpect] = {
    name: (lambda s: lambda p, t: s)(status) for status, names in SAME.items() for name in names
}
EXPECT.update(
    {
        # The account list and creation are the role's (403 for the others); creation outside the
        # county is refused on the form (200 with the error) or in the API (400).
        "account-list": only("security_admin", 200),
        "api:account-list(read)": only("security_admin", 200),
        "account-scope-search": only("security_admin", 200),
        "account-create": lambda p, t: (302 if t in SECURITY_VISIBLE else 200) if p == "security_admin" else 403,
        "api:account-list": lambda p, t: (201 if t in SECURITY_VISIBLE else 400) if p == "security_admin" else 403,
        "api:account-detail": security_scoped(200),
        "account-detail": security_scoped(200),
        "account-unlock": security_scoped(302),
        "account-revoke-tokens": security_scoped(302),
        "account-reset-password": security_scoped(302),
        "account-set-active": security_scoped(302),
        "grant-list": only("security_admin", 200),
        "grant-revoke": security_scoped(302),
        "system-overview": only("system_admin", 200),
        # The channels' health (decision 0152): the system administrator, without the messages' titles.
        "delivery-status": only("system_admin", 200),
        # The holiday and 调休 table is the system administrator's to keep, beside provincial staff.
        # The audit administrator of 石家庄市 reads the events of its city (A and C are both in it);
        # the other two administrators' scope holds no audit events.
        "audit-list": only("audit_admin", 200),
        "audit-list(export)": only("audit_admin", 200),
        "api:audit-event-list": only("audit_admin", 200),
        "api:audit-event-detail": lambda p, t: 200 if p == "audit_admin" else 404,
        "work-calendar": only("system_admin", 200),
        "work-calendar-year(read)": only("system_admin", 200),
        "work-calendar-day(read)": only("system_admin", 200),
        "work-calendar-year": only("system_admin", 302),
        "work-calendar-day": only("system_admin", 302),
        "work-calendar-day-delete": only("system_admin", 302),
        "work-calendar-publish": only("system_admin", 302),
    }
)

# Party affairs (第十八条) and 双线考核 (第二十五条), issue 14: the roles' lists and creations (403); the
# cadres' and teams' rows lie outside every administrator's scope (404).
EXPECT.update(
    {
        **{name: (lambda p, t: 403) for name in (
            "party-transfer-list", "api:party-transfer-list", "api:party-transfer-list(read)",
            "api:party-transfer-pending", "api:party-secretary-list", "api:party-secretary-list(read)",
            "assessment-support-opinions", "api:support-opinion-list", "api:support-opinion-list(read)",
            "api:support-opinion-summary",
        )},
        **{name: (lambda p, t: 404) for name in (
            "cadre-party-transfer", "cadre-party-secretary", "api:party-transfer-detail",
            "api:party-transfer-confirm", "api:party-secretary-detail", "api:party-secretary-consent",
            "api:party-secretary-consent(unit)", "api:party-secretary-appoint", "api:party-secretary-end",
            "api:support-opinion-detail",
        )},
    }
)  # fmt: skip


def visible(name: str, persona: str) -> set[str]:
    """Targets whose row a list must show to ``persona``: accounts in the security administrator's
    county; nothing else, to nobody."""
    if persona == "security_admin" and name in ("account-list", "api:account-list(read)", "account-scope-search"):
        return SECURITY_VISIBLE
    if persona == "audit_admin" and name in ("audit-list", "api:audit-event-list"):
        return {"A", "C"}
    return set()
