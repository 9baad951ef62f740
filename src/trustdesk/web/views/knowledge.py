"""The knowledge-base page of a brand (leads and admins): list, search, add, edit, delete, import."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from trustdesk.api.params import IdPath
from trustdesk.inbox.models import Brand
from trustdesk.knowledge import service
from trustdesk.knowledge.formats import FORMATS, MAX_BYTES, read_bytes
from trustdesk.knowledge.forms import FIELDS, entry_from_form, form_from_entry
from trustdesk.knowledge.models import KnowledgeEntry
from trustdesk.knowledge.schemas import KINDS, KnowledgeError
from trustdesk.team.access import NotVisible, Viewer
from trustdesk.web.deps import CurrentViewer, DbSession
from trustdesk.web.views._common import render, see_other
from trustdesk.web.views.settings import _brand as settings_brand

router = APIRouter()
PERMISSION = "knowledge.manage"


def _brand(session: Session, viewer: Viewer, brand_id: str | None) -> Brand:
    # the settings pages' brand choice (a checked id, else the viewer's first brand with the permission)
    return settings_brand(session, viewer, PERMISSION, brand_id)


def _page(
    request: Request, session: Session, viewer: Viewer, brand: Brand, *, form: dict[str, str] | None = None,
    errors: list[str] | None = None, report: dict | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    query = request.query_params.get("q", "").strip()[:2000]
    matches = service.search(session=session, brand_id=brand.id, text=query, limit=10) if query else []
    return render(
        request, "settings/knowledge.html", viewer=viewer, session=session, nav="knowledge", brand=brand,
        entries=service.list_entries(session=session, brand_id=brand.id), query=query, matches=matches,
        form=form or {"kind": "faq"}, kinds=KINDS, errors=errors or [], report=report,
        saved=request.query_params.get("saved"), status_code=status_code,
    )  # fmt: skip


async def _form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: str(data.get(k, ""))[:20_000] for k in FIELDS}


@router.get("/settings/knowledge")
def knowledge(request: Request, session: DbSession, viewer: CurrentViewer) -> Response:
    """The brand's entries, a search that shows what would answer a message, and the add / import forms."""
    return _page(request, session, viewer, _brand(session, viewer, request.query_params.get("brand")))


@router.post("/settings/knowledge")
async def add_entry(
    request: Request, session: DbSession, viewer: CurrentViewer, brand: str = Form("")
) -> Response:
    """Add an entry; an invalid one comes back with every problem and is not saved."""
    target = _brand(session, viewer, brand)
    form = await _form(request)
    entry, errors = entry_from_form(form)
    if entry is not None:
        try:
            service.create_entry(session=session, brand_id=target.id, entry=entry, actor_id=viewer.id)
        except KnowledgeError as exc:
            errors = [str(exc)]
    if errors:
        return _page(request, session, viewer, target, form=form, errors=errors, status_code=400)
    return see_other(f"/settings/knowledge?brand={target.id}&saved=added", request)


@router.post("/settings/knowledge/import")
async def import_file(
    request: Request, session: DbSession, viewer: CurrentViewer, brand: str = Form(""),
    file: UploadFile | None = File(None),
) -> Response:  # fmt: skip
    """Import a .md, .csv or .yaml file: good entries are saved, every bad line is listed."""
    target = _brand(session, viewer, brand)
    name = (file.filename or "") if file else ""
    kind = FORMATS.get("." + name.rsplit(".", 1)[-1].lower()) if "." in name else None
    if file is None or kind is None:
        return _page(request, session, viewer, target, errors=["choose a .md, .csv, .yaml or .yml file"],
                     status_code=400)  # fmt: skip
    data = await file.read(MAX_BYTES + 1)
    try:
        parsed = read_bytes(data, kind)
    except KnowledgeError as exc:
        return _page(request, session, viewer, target, errors=[str(exc)], status_code=400)
    report = service.import_parsed(session=session, brand_id=target.id, parsed=parsed, actor_id=viewer.id,
                                   source=name)  # fmt: skip
    return _page(request, session, viewer, target, report={"file": name, **report.to_dict()})


def _entry(session: Session, viewer: Viewer, entry_id: int) -> tuple[Brand, dict[str, str], int]:
    row = session.get(KnowledgeEntry, entry_id)
    if row is None or row.brand_id not in viewer.brands_with(PERMISSION):
        raise NotVisible(f"no knowledge entry {entry_id}")
    return session.get_one(Brand, row.brand_id), form_from_entry(service.to_read(row)), row.id


@router.get("/settings/knowledge/{entry_id}")
def edit_entry(request: Request, session: DbSession, viewer: CurrentViewer, entry_id: IdPath) -> Response:
    """The edit form of one entry."""
    brand, form, entry_id = _entry(session, viewer, entry_id)
    return render(request, "settings/knowledge_entry.html", viewer=viewer, session=session, nav="knowledge",
                  brand=brand, form=form, entry_id=entry_id, kinds=KINDS, errors=[])  # fmt: skip


@router.post("/settings/knowledge/{entry_id}")
async def save_entry(
    request: Request, session: DbSession, viewer: CurrentViewer, entry_id: IdPath
) -> Response:
    """Save an edited entry (audited with the fields that changed)."""
    brand, _, entry_id = _entry(session, viewer, entry_id)
    form = await _form(request)
    entry, errors = entry_from_form(form)
    if entry is not None:
        try:
            service.update_entry(session=session, brand_id=brand.id, entry_id=entry_id, entry=entry,
                                 actor_id=viewer.id)  # fmt: skip
        except KnowledgeError as exc:
            errors = [str(exc)]
    if errors:
        return render(request, "settings/knowledge_entry.html", viewer=viewer, session=session, nav="knowledge",
                      brand=brand, form=form, entry_id=entry_id, kinds=KINDS, errors=errors,
                      status_code=400)  # fmt: skip
    return see_other(f"/settings/knowledge?brand={brand.id}&saved=saved", request)


@router.post("/settings/knowledge/{entry_id}/delete")
def remove_entry(request: Request, session: DbSession, viewer: CurrentViewer, entry_id: IdPath) -> Response:
    """Delete an entry (the audit event keeps its content)."""
    brand, _, entry_id = _entry(session, viewer, entry_id)
    service.delete_entry(session=session, brand_id=brand.id, entry_id=entry_id, actor_id=viewer.id)
    return see_other(f"/settings/knowledge?brand={brand.id}&saved=deleted", request)
