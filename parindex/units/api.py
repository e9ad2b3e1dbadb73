"""API: authorities and their units, as the permission module lets each user see them."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from parindex.accounts.models import Role
from parindex.accounts.permissions import authority_ids, unit_scope
from parindex.units.models import Authority, Unit

router = Router()


class AuthorityOut(Schema):
    code: str
    name: str


class NotFoundOut(Schema):
    detail: str
    problems: list[str]


class UnitOut(Schema):
    code: str
    name: str
    type: str
    group: str | None
    parent: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    predecessors: list[str]


@router.get(
    "/authorities", response=list[AuthorityOut], operation_id="authorities_list",
    summary="Authorities the user has a role in",
)  # fmt: skip
def authorities_list(request: HttpRequest) -> list[AuthorityOut]:
    found = Authority.objects.filter(pk__in=authority_ids(request.user, tuple(Role)))
    return [AuthorityOut(code=a.code, name=a.name) for a in found.order_by("code")]


@router.get(
    "/authorities/{code}/units", response={200: list[UnitOut], 404: NotFoundOut},
    operation_id="units_list",
    summary="The units of an authority the user may see (404 for another authority)",
)  # fmt: skip
def units_list(request: HttpRequest, code: str) -> list[UnitOut]:
    authority = get_object_or_404(
        Authority.objects.filter(pk__in=authority_ids(request.user, tuple(Role))), code=code
    )
    units = (
        Unit.objects.filter(unit_scope(request.user), authority=authority)
        .select_related("group", "parent")
        .prefetch_related("predecessors")
        .order_by("code")
    )
    return [
        UnitOut(
            code=u.code,
            name=u.name,
            type=u.type,
            group=u.group.code if u.group else None,
            parent=u.parent.code if u.parent else None,
            valid_from=u.valid_from,
            valid_to=u.valid_to,
            predecessors=sorted(p.code for p in u.predecessors.all()),
        )
        for u in units
    ]
