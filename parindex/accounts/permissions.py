"""Object-level permissions: who may see and do what, for which authority, unit and leaf.

Every view, API endpoint and download asks these functions; a user asking for an object they
may not see gets a 404 (the `*_visible_to` querysets make that the natural outcome of
`get_object_or_404`). Roles are SPEC §4; they come from active `Membership` rows.
"""

from __future__ import annotations

from collections.abc import Iterable

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


def has_role(user: User | object, role: Role, *, authority_id: int | None = None) -> bool:
    found = memberships_of(user).filter(role=role)
    if authority_id is not None:
        found = found.filter(authority_id=authority_id)
    return found.exists()


def authority_ids(user: User | object, roles: Iterable[Role] = tuple(Role)) -> set[int]:
    return set(
        memberships_of(user).filter(role__in=list(roles)).values_list("authority_id", flat=True)
    )


def unit_ids(user: User | object, roles: Iterable[Role] = UNIT_ROLES) -> set[int]:
    """The units a user belongs to in a unit role (focal point, head)."""
    found = memberships_of(user).filter(role__in=list(roles), unit__isnull=False)
    return set(found.values_list("unit_id", flat=True))


def appraiser_agencies(user: User | object, authority_id: int) -> set[str]:
    """The appraising agency codes (criteria `appraiser`) a user appraises for in an authority."""
    found = memberships_of(user).filter(role=Role.APPRAISER, authority_id=authority_id)
    return {agency for agency in found.values_list("agency", flat=True) if agency}


def own_unit_ids(user: User | object) -> set[int]:
    """Every unit the user belongs to, whatever the role: nobody appraises their own unit."""
    return set(memberships_of(user).filter(unit__isnull=False).values_list("unit_id", flat=True))


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

    if not memberships_of(user).exists():
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
