"""The file of a cadre and of a team (第十五条2): one page, printed on A4 with the province's header
(static/css/app.css ``.zc-archive``), and the same file as a Word document, audited when downloaded.
Out of scope is 404 (the cadre or team is fetched through ``zhucun.scoping``), a role that keeps no
file is 403 (``archive.view``)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from zhucun import scoping
from zhucun.audit import audit_export

from . import selectors
from .exports import docx_bytes
from .selectors import Archive

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _cadre(request: HttpRequest, pk: int) -> Archive:
    cadre = selectors.cadre_for_archive(user=request.user, pk=pk)
    if cadre is None:
        raise Http404
    scoping.require(request.user, "archive.view")
    return selectors.cadre_archive(user=request.user, cadre=cadre)


def _team(request: HttpRequest, pk: int) -> Archive:
    team = selectors.team_for_archive(user=request.user, pk=pk)
    if team is None:
        raise Http404
    scoping.require(request.user, "archive.view")
    return selectors.team_archive(user=request.user, team=team)


def _page(request: HttpRequest, archive: Archive) -> HttpResponse:
    return render(request, "archive/archive.html", {"archive": archive, "chain": archive.chain})


def _download(request: HttpRequest, archive: Archive) -> HttpResponse:
    """The Word document, recorded before it leaves (zhucun.audit.audit_export): who took whose file."""
    filename = archive.filename
    audit_export(
        user=request.user,
        kind="cadres.cadre" if archive.kind == "cadre" else "cadres.team",
        title=f"{archive.title}：{archive.subject}",
        rows=sum(len(table.rows) for section in archive.sections for table in section.tables),
        filename=filename,
        action="export.docx",
        object_id=str(archive.pk),
    )
    response = HttpResponse(docx_bytes(archive), content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def cadre_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _cadre(request, pk))


@login_required
def cadre_archive_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, _cadre(request, pk))


@login_required
def team_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _team(request, pk))


@login_required
def team_archive_download(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, _team(request, pk))
