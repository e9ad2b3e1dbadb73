"""Object-level permissions: who may see and do what, for which authority, unit and leaf.

Every view, API endpoint and download asks these functions; a user asking for an object they
may not see gets a 404 (the `*_visible_to` querysets make that the natural outcome of
`get_object_or_404`). Roles are SPEC §4; they come from active `Membership` rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from parindex.accounts.models import Membership, Role, User
from parindex.units.models import Authority

AUTHORITY_WIDE = (Role.SECRETARIAT, Role.COUNCIL_CHAIR, Role.LEADER, Role.SYSTEM_ADMIN)
UNIT_ROLES = (Role.FOCAL_POINT, Role.UNIT_HEAD)
ADMINISTERING = (Role.SECRETARIAT, Role.SYSTEM_ADMIN)  # manage units, groups and accounts


def memberships_of(user: User | object) -> QuerySet[Membership]:
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, active=True).select_related("authority", "unit")


@dataclass(frozen=True, slots=True)
class Grant:
    """One active membership, as the predicates below read it."""

    role: str
    authority_id: int
    unit_id: int | None
    agency: str


# Within one request a user's grants are read once (a sheet's view asks several predicates);
# any saved or deleted membership empties the memory at once.
_REQUEST_GRANTS: ContextVar[dict[int, tuple[Grant, ...]] | None] = ContextVar(
    "parindex_grants", default=None
)


def grants_of(user: User | object) -> tuple[Grant, ...]:
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return ()
    memory = _REQUEST_GRANTS.get()
    if memory is not None and user.pk in memory:
        return memory[user.pk]
    rows = Membership.objects.filter(user=user, active=True).values_list(
        "role", "authority_id", "unit_id", "agency"
    )
    found = tuple(Grant(*row) for row in rows)
    if memory is not None:
        memory[user.pk] = found
    return found


@contextmanager
def grants_remembered() -> Iterator[None]:
    """Read each user's grants once inside the block (one request)."""
    token = _REQUEST_GRANTS.set({})
    try:
        yield
    finally:
        _REQUEST_GRANTS.reset(token)


def grants_forget(**_signal: object) -> None:
    memory = _REQUEST_GRANTS.get()
    if memory is not None:
        memory.clear()


def _values(roles: Iterable[Role | str]) -> set[str]:
    return {str(role) for role in roles}  # a Role's hash is its name's, not its value's


def has_role(user: User | object, role: Role, *, authority_id: int | None = None) -> bool:
    return any(
        grant.role == role and (authority_id is None or grant.authority_id == authority_id)
        for grant in grants_of(user)
    )


def authority_ids(user: User | object, roles: Iterable[Role] = tuple(Role)) -> set[int]:
    wanted = _values(roles)
    return {grant.authority_id for grant in grants_of(user) if grant.role in wanted}


def unit_ids(user: User | object, roles: Iterable[Role] = UNIT_ROLES) -> set[int]:
    """The units a user belongs to in a unit role (focal point, head)."""
    wanted = _values(roles)
    return {
        grant.unit_id
        for grant in grants_of(user)
        if grant.role in wanted and grant.unit_id is not None
    }


def appraiser_agencies(user: User | object, authority_id: int) -> set[str]:
    """The appraising agency codes (criteria `appraiser`) a user appraises for in an authority."""
    return {
        grant.agency
        for grant in grants_of(user)
        if grant.role == Role.APPRAISER and grant.authority_id == authority_id and grant.agency
    }


def own_unit_ids(user: User | object) -> set[int]:
    """Every unit the user belongs to, whatever the role: nobody appraises their own unit."""
    return {grant.unit_id for grant in grants_of(user) if grant.unit_id is not None}


def assessment_scope(user: User | object) -> Q:
    """A filter on `Assessment` for the sheets the user may see.

    Authority-wide roles see their authority's sheets; appraisers see their authority's sheets
    except their own unit's; unit roles see their unit's sheet.
    """
    wide = authority_ids(user, AUTHORITY_WIDE)
    appraising = authority_ids(user, (Role.APPRAISER,))
    own = own_unit_ids(user)
    scope = Q(cycle__authority_id__in=wide) | Q(unit_id__in=unit_ids(user))
    scope |= Q(cycle__authority_id__in=appraising) & ~Q(unit_id__in=own)
    return scope


def assessments_visible_to(user: User | object) -> QuerySet:  # type: ignore[type-arg]
    from parindex.assessments.models import Assessment

    if not grants_of(user):
        return Assessment.objects.none()
    return Assessment.objects.filter(assessment_scope(user)).select_related("cycle", "unit")


def can_edit_sheet(user: User | object, unit_id: int) -> bool:
    """Focal points and heads enter their own unit's values and evidence."""
    return unit_id in unit_ids(user)


def can_submit_sheet(user: User | object, unit_id: int) -> bool:
    """Only the unit's head approves and submits (SPEC §3.2)."""
    return unit_id in unit_ids(user, (Role.UNIT_HEAD,))


def can_appraise(user: User | object, *, authority_id: int, unit_id: int, agency: str) -> bool:
    """An appraiser of the leaf's agency, in the cycle's authority, not of the appraised unit."""
    if unit_id in own_unit_ids(user):
        return False
    return bool(agency) and agency in appraiser_agencies(user, authority_id)


def is_secretariat(user: User | object, authority_id: int) -> bool:
    return has_role(user, Role.SECRETARIAT, authority_id=authority_id) or has_role(
        user, Role.SYSTEM_ADMIN, authority_id=authority_id
    )


def is_council_chair(user: User | object, authority_id: int) -> bool:
    return has_role(user, Role.COUNCIL_CHAIR, authority_id=authority_id)


# ---------------------------------------------------------------- authorities and units


def authorities_administered_by(user: User | object) -> QuerySet[Authority]:
    """The authorities whose units, groups and accounts the user manages (secretariat,
    system admin)."""
    return Authority.objects.filter(pk__in=authority_ids(user, ADMINISTERING))


def authorities_seen_whole_by(user: User | object) -> QuerySet[Authority]:
    """The authorities whose every unit the user may list: authority-wide roles only."""
    return Authority.objects.filter(pk__in=authority_ids(user, AUTHORITY_WIDE))


def unit_scope(user: User | object) -> Q:
    """A filter on `Unit` for the units the user may see.

    Authority-wide roles and appraisers see every unit of their authority (an appraiser must
    know the units whose sheets they check, their own included, though they never appraise
    it); unit roles see their own unit; nobody sees another authority's units.
    """
    wide = authority_ids(user, (*AUTHORITY_WIDE, Role.APPRAISER))
    return Q(authority_id__in=wide) | Q(pk__in=unit_ids(user))
