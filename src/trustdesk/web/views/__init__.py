"""The desk's pages; every route passes the one guard (declared permission, session, CSRF)."""

from fastapi import APIRouter, Depends

from trustdesk.web.deps import guard
from trustdesk.web.views import auth, conversation, customers, events, inbox, knowledge, review, settings

router = APIRouter(dependencies=[Depends(guard)], include_in_schema=False)
for _module in (auth, inbox, conversation, customers, review, settings, knowledge, events):
    router.include_router(_module.router)

__all__ = ["router"]
