"""Issue 10 item 7: every download of data is audited — who took which list, with which filters,
within which scope, how many rows — and so is the life of an export job (created, finished,
downloaded). A new download route must be audited here, or explained, or this file fails."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from assessment.models import ExportJob
from cadres.models import Cadre, Team
from tests.assessment.helpers import YEAR
from zhucun.models import AuditEvent
from zhucun.testing.world import World
from zhucun.views import FilteredListView


@dataclass(frozen=True)
class Download:
    method: str
    url: Callable[[], str]
    kind: str
    filters: dict[str, object]
    api: bool = False
    #: the file's kind: the lists are workbooks, a file (第十五条2) is a Word document
    action: str = "export.xlsx"
    suffix: str = ".xlsx"


def _leader_a() -> int:
    return Cadre.objects.get(team__village_id="130102001001", role=Cadre.Role.FIRST_SECRETARY_LEADER).pk


def _team_a() -> int:
    return Team.objects.get(village_id="130102001001").pk


#: route name → how to call it as the county official and what the event must say
DOWNLOADS: dict[str, Download] = {
    "team-list": Download(
        "get", lambda: reverse("team-list") + "?export=xlsx&search=甲&page=2", "cadres.team", {"search": "甲"}
    ),
    "cadre-list": Download(
        "get", lambda: reverse("cadre-list") + "?export=xlsx&status=active&sort=name", "cadres.cadre",
        {"status": "active"},
    ),
    "leave-register": Download(
        "get", lambda: reverse("leave-register") + "?export=xlsx&start=2026-11-01&end=2026-11-30",
        "leave.leaverequest", {"start": "2026-11-01", "end": "2026-11-30"},
    ),
    "attendance-register": Download(
        "get", lambda: reverse("attendance-register", args=["130102001"]) + "?month=2026-11",
        "attendance.signin", {"region": "130102001", "month": "2026-11"},
    ),
    "api:attendance-export": Download(
        "get", lambda: reverse("api:attendance-export") + "?region=130102001&month=2026-11",
        "attendance.signin", {"region": "130102001", "month": "2026-11"}, api=True,
    ),
    "assessment-recall-export": Download(
        "get", lambda: reverse("assessment-recall-export") + "?status=open", "assessment.recallcase",
        {"status": "open"},
    ),
    "assessment-accountability-export": Download(
        "get", lambda: reverse("assessment-accountability-export"), "assessment.accountabilityrecord", {}
    ),
    "api:assessment-export": Download(
        "get", lambda: reverse("api:assessment-export") + f"?year={YEAR}", "assessment.assessmentresult",
        {"year": YEAR}, api=True,
    ),
    "assessment-export": Download(
        "post", lambda: reverse("assessment-export", args=[YEAR]), "assessment.assessmentresult", {"year": YEAR}
    ),
    "audit-list": Download(
        "get", lambda: reverse("audit-list") + "?export=xlsx&action=account", "zhucun.auditevent",
        {"action": "account"},
    ),
    # the duties calendar and supervision (issue 13)
    "duties-compliance": Download(
        "get", lambda: reverse("duties-compliance") + "?export=xlsx&status=overdue", "duties.obligation",
        {"status": "overdue"},
    ),
    "supervision-presence-list": Download(
        "get", lambda: reverse("supervision-presence-list") + "?export=xlsx&status=missed", "supervision.presencecheck",
        {"status": "missed"},
    ),
    "supervision-tasks": Download(
        "get", lambda: reverse("supervision-tasks") + "?export=xlsx&kind=required", "supervision.annualtask",
        {"kind": "required"},
    ),
    # households and training (issue 14)
    "households-region": Download(
        "get", lambda: reverse("households-region", args=["130102"]) + "?export=xlsx&status=overdue",
        "households.household", {"status": "overdue"},
    ),
    "training-untrained": Download(
        "get", lambda: reverse("training-untrained") + "?export=xlsx&year=2026", "cadres.cadre", {"year": "2026"},
    ),
    # party affairs (第十八条): the transfer list as shown
    "party-transfer-list": Download(
        "get", lambda: reverse("party-transfer-list") + "?export=xlsx&status=recorded&page=2",
        "cadres.partytransfer", {"status": "recorded"},
    ),
    # the file of a cadre and of a team (第十五条2, decision 0132)
    "archive-cadre-download": Download(
        "get", lambda: reverse("archive-cadre-download", args=[_leader_a()]), "cadres.cadre", {},
        action="export.docx", suffix=".docx",
    ),
    "archive-team-download": Download(
        "get", lambda: reverse("archive-team-download", args=[_team_a()]), "cadres.team", {},
        action="export.docx", suffix=".docx",
    ),
}  # fmt: skip

#: download-like routes that are not data leaving the system, and why
NOT_DATA = {
    "roster-template-download": "the blank roster template: headers only, the same for everyone",
    "api:roster-import-template": "the blank roster template: headers only, the same for everyone",
    "assessment-export-job": "the job's progress page; its download is assessment-export-download",
    "assessment-export-download": "audited as export_job.download (test below)",
    "public-poster": "the public village poster (第十九条3), meant to be printed and posted",
    "cadre-export-id-numbers": "audited as cadre.export_id_numbers (tests/cadres/test_id_number_reveal.py)",
    "households-import-template": "the blank household-list template: headers only, the same for everyone",
    "api:household-import-template": "the blank household-list template: headers only, the same for everyone",
}


def _download_routes() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}{pattern.name}"
                view_class = getattr(pattern.callback, "view_class", None)
                if view_class is not None and issubclass(view_class, FilteredListView):
                    names.add(name)  # every FilteredListView exports with ?export=xlsx
                if re.search(r"export|xlsx|download|template|register|poster", f"{name} {pattern.pattern}"):
                    names.add(name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_download_route_is_audited_or_explained() -> None:
    assert _download_routes() - set(DOWNLOADS) - set(NOT_DATA) == set()


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
def test_a_download_records_who_took_which_rows_with_which_filters(world: World, name: str) -> None:
    download = DOWNLOADS[name]
    county = world.personas["county"]
    client: Client | APIClient = APIClient() if download.api else Client()
    client.force_login(county)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    response = getattr(client, download.method)(download.url())
    assert response.status_code == 200, response.content[:300] if hasattr(response, "content") else response
    assert "attachment" in response["Content-Disposition"]
    events = list(AuditEvent.objects.exclude(pk__in=before))
    assert len(events) == 1, [(e.action, e.object_type) for e in events]
    event = events[0]
    assert (event.actor_id, event.object_type) == (county.pk, download.kind)
    assert event.action == download.action
    assert event.region_code == "130102"  # the county's departments (and those above) see it
    assert event.after is not None
    assert event.after["scope"] == {"role": "county_org", "regions": ["130102"]}
    assert event.after["filters"] == download.filters
    assert isinstance(event.after["rows"], int)
    assert event.after["file"].endswith(download.suffix)


def test_the_rows_counted_are_the_rows_exported(world: World) -> None:
    client = Client()
    client.force_login(world.personas["county"])
    client.get(reverse("cadre-list") + "?export=xlsx")
    event = AuditEvent.objects.get(action="export.xlsx", object_type="cadres.cadre")
    assert event.after is not None and event.after["rows"] == 4  # two teams of two in 甲县


@override_settings(ZHUCUN_EXPORT_SYNC_MAX_ROWS=0)
def test_an_export_job_is_audited_when_created_finished_and_downloaded(
    world: World, django_capture_on_commit_callbacks: object
) -> None:
    county = world.personas["county"]
    client = Client()
    client.force_login(county)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post(reverse("assessment-export", args=[YEAR]))
    job = ExportJob.objects.get()
    client.get(reverse("assessment-export-download", args=[job.pk]))
    events = {
        event.action: event
        for event in AuditEvent.objects.filter(object_type="assessment.exportjob", object_id=str(job.pk))
    }
    assert set(events) == {"export_job.create", "export_job.finish", "export_job.download"}
    assert events["export_job.create"].actor == county
    assert events["export_job.finish"].actor is None
    assert events["export_job.finish"].operator == "job:assessment.build_export"
    assert events["export_job.finish"].after == {
        "user_id": county.pk, "year": YEAR, "rows": job.rows, "file": job.file.name,
    }  # fmt: skip
    assert events["export_job.download"].actor == county
    assert all(event.region_code == "130102" for event in events.values())
