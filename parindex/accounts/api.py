"""API: who am I, and what may I do."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from parindex.accounts.permissions import memberships_of

router = Router()


class MembershipOut(Schema):
    authority: str
    role: str
    unit: str | None
    agency: str


class MeOut(Schema):
    username: str
    name: str
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, operation_id="me", summary="The signed-in user and roles")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        username=user.get_username(),
        name=user.get_full_name() if hasattr(user, "get_full_name") else "",
        memberships=[
            MembershipOut(
                authority=m.authority.code,
                role=m.role,
                unit=m.unit.code if m.unit else None,
                agency=m.agency,
            )
            for m in memberships_of(user)
        ],
    )
