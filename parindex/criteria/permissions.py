"""Who may see and change criteria sets, on top of `parindex.accounts.permissions`.

Every member of an authority (whatever the role) may read its criteria sets; its secretariat
and system administrators may import, revise and assign appraisers. Anyone else finds nothing:
the views look versions up in `criteria_sets_visible_to`, so another authority's set is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from parindex.accounts.models import Membership, Role, User
from parindex.accounts.permissions import authority_ids, memberships_of
from parindex.criteria.models import CriteriaSetVersion
from parindex.units.models import Authority

MANAGING = (Role.SECRETARIAT, Role.SYSTEM_ADMIN)


def _member_of(user: User | object) -> QuerySet[Membership, Any]:
    """The ids of the user's authorities, as a subquery (no query of its own)."""
    return memberships_of(user).values("authority_id")


def criteria_sets_visible_to(user: User | object) -> QuerySet[CriteriaSetVersion]:
    return CriteriaSetVersion.objects.filter(authority_id__in=_member_of(user)).select_related(
        "authority", "unit_group", "created_by"
    )


def criteria_authorities_of(user: User | object) -> QuerySet[Authority]:
    """The authorities whose criteria sets the user may read."""
    return Authority.objects.filter(pk__in=_member_of(user))


def criteria_authority_ids_managed_by(user: User | object) -> set[int]:
    return authority_ids(user, MANAGING)


def can_manage_criteria(user: User | object, authority_id: int) -> bool:
    """Import, revise, assign appraisers: the authority's secretariat and system admins."""
    return authority_id in criteria_authority_ids_managed_by(user)
